-- Reference data: the 部件/事件 catalogue, administrative areas, unit grids, and the
-- registered things that observe the city (components, sensors, cameras).
-- Codes nest (grid ⊂ community ⊂ street ⊂ district), so child codes are checked against
-- their parents' codes: a grid filed under the wrong community is a data error, not a fact.

CREATE TABLE catalogue_class (
    edition    text NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('component', 'event')),
    code       text NOT NULL,
    name       text NOT NULL,
    major_code text NOT NULL CHECK (major_code ~ '^[0-9]{2}$'),
    major_name text NOT NULL,
    PRIMARY KEY (edition, kind, code),
    -- 4 digits in the CJ/T 214 lineage, 5 in GB/T 47678.5-2026; both editions are loaded side by side
    CONSTRAINT catalogue_class_code_format CHECK (code ~ '^[0-9]{4,5}$' AND left(code, 2) = major_code)
);
COMMENT ON TABLE catalogue_class IS
    'The 部件/事件 (component/event) catalogue: one row per minor class, per edition of the standard (data, not code).';
COMMENT ON COLUMN catalogue_class.edition IS 'Which standard edition the row belongs to, e.g. cjt214 or gb47678_5_2026.';

CREATE TABLE district (
    code         char(6) PRIMARY KEY CHECK (code ~ '^[0-9]{6}$'),
    name         text NOT NULL,
    area_m2      double precision CHECK (area_m2 >= 0),
    geom_geojson jsonb,
    synthetic    boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE district IS 'County-level district (区), GB/T 2260 code; boundary as GeoJSON in WGS-84.';
COMMENT ON COLUMN district.synthetic IS 'True when the boundary was generated, not taken from a survey.';

CREATE TABLE management_area (
    name text PRIMARY KEY
);
COMMENT ON TABLE management_area IS
    'A management area (管理区, e.g. 高新园区) that is not an administrative district but manages whole streets.';

CREATE TABLE street (
    code          char(9) PRIMARY KEY CHECK (code ~ '^[0-9]{9}$'),
    district_code char(6) NOT NULL REFERENCES district (code),
    name          text NOT NULL,
    area_m2       double precision CHECK (area_m2 >= 0),
    geom_geojson  jsonb,
    synthetic     boolean NOT NULL DEFAULT true,
    CONSTRAINT street_code_in_district CHECK (left(code, 6) = district_code)
);
CREATE INDEX street_district_idx ON street (district_code);
COMMENT ON TABLE street IS 'Street / sub-district (街道), 9-digit code = district code + 3 digits; boundaries are synthetic.';

CREATE TABLE management_area_street (
    area_name   text    NOT NULL REFERENCES management_area (name) ON DELETE CASCADE,
    street_code char(9) NOT NULL REFERENCES street (code),
    PRIMARY KEY (area_name, street_code)
);
CREATE INDEX management_area_street_street_idx ON management_area_street (street_code);
COMMENT ON TABLE management_area_street IS 'Which streets a management area (管理区) manages.';

CREATE TABLE community (
    code         char(12) PRIMARY KEY CHECK (code ~ '^[0-9]{12}$'),
    street_code  char(9) NOT NULL REFERENCES street (code),
    name         text NOT NULL,
    area_m2      double precision CHECK (area_m2 >= 0),
    geom_geojson jsonb,
    synthetic    boolean NOT NULL DEFAULT true,
    CONSTRAINT community_code_in_street CHECK (left(code, 9) = street_code)
);
CREATE INDEX community_street_idx ON community (street_code);
COMMENT ON TABLE community IS 'Community or village (社区/村), 12-digit code = street code + 3 digits.';

CREATE TABLE unit_grid (
    code           char(15) PRIMARY KEY,
    community_code char(12) NOT NULL REFERENCES community (code),
    street_code    char(9)  NOT NULL,
    district_code  char(6)  NOT NULL,
    seq            smallint NOT NULL CHECK (seq BETWEEN 1 AND 999),
    area_m2        double precision NOT NULL CHECK (area_m2 > 0),
    interior       boolean NOT NULL,
    min_lon        double precision NOT NULL,
    min_lat        double precision NOT NULL,
    max_lon        double precision NOT NULL,
    max_lat        double precision NOT NULL,
    centroid_lon   double precision NOT NULL,
    centroid_lat   double precision NOT NULL,
    geom_geojson   jsonb NOT NULL,
    synthetic      boolean NOT NULL DEFAULT true,
    -- 15 digits: district(6) street(3) community(3) sequence(3), see standards/grid_code.md §2
    CONSTRAINT unit_grid_code_format CHECK (code ~ '^[0-9]{15}$'),
    CONSTRAINT unit_grid_code_nests CHECK (
        left(code, 12) = community_code AND left(code, 9) = street_code AND left(code, 6) = district_code
        AND right(code, 3) = lpad(seq::text, 3, '0')),
    CONSTRAINT unit_grid_bbox CHECK (min_lon <= max_lon AND min_lat <= max_lat)
);
CREATE INDEX unit_grid_community_idx ON unit_grid (community_code);
CREATE INDEX unit_grid_street_idx ON unit_grid (street_code);
CREATE INDEX unit_grid_district_idx ON unit_grid (district_code);
COMMENT ON TABLE unit_grid IS
    'Unit grid (单元网格, ~10,000 m²), the smallest area a case is filed against; polygon as GeoJSON in WGS-84.';
COMMENT ON COLUMN unit_grid.seq IS 'Sequence within the community, numbered west to east, north to south.';
COMMENT ON COLUMN unit_grid.interior IS 'True when the grid lies wholly inside its community (not clipped by its boundary).';
COMMENT ON COLUMN unit_grid.area_m2 IS 'Area in square metres, measured in UTM 51N.';

CREATE TABLE component (
    component_id text PRIMARY KEY,
    class_code   text NOT NULL CHECK (class_code ~ '^[0-9]{4,5}$'),
    grid_code    char(15) REFERENCES unit_grid (code),
    lon          double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
    lat          double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
    status       text NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'damaged', 'missing', 'occupied')),
    department   text,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    -- 16 digits (CJ/T 214 lineage: admin 6 + major 2 + minor 2 + serial 6) or 17 (GB/T 47678.5: minor 3)
    CONSTRAINT component_id_format CHECK (component_id ~ '^[0-9]{16,17}$')
);
CREATE INDEX component_grid_idx ON component (grid_code);
CREATE INDEX component_class_idx ON component (class_code);
COMMENT ON TABLE component IS 'Inventory of city components (部件) by 部件标识码.';
COMMENT ON COLUMN component.status IS 'ok = 完好, damaged = 破损, missing = 丢失, occupied = 占用.';

CREATE TABLE sensor (
    sensor_id      text PRIMARY KEY,
    type           text NOT NULL
                   CHECK (type IN ('water_level', 'manhole', 'bin_fill', 'road_weather', 'rain_gauge')),
    lon            double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
    lat            double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
    component_code text CHECK (component_code ~ '^[0-9]{4,5}$'),
    interval_s     integer NOT NULL DEFAULT 60 CHECK (interval_s > 0),
    name           text,
    grid_code      char(15) CHECK (grid_code ~ '^[0-9]{15}$'),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    -- the MQTT topic segment, CONTRACTS.md §1
    CONSTRAINT sensor_id_format CHECK (sensor_id ~ '^[A-Za-z0-9_.-]{1,64}$')
);
CREATE INDEX sensor_grid_idx ON sensor (grid_code);
COMMENT ON TABLE sensor IS
    'Registered IoT sensors (物联网传感器); readings of unregistered sensors are dead-lettered. grid_code is derived from lon/lat and may be null outside all grids.';
COMMENT ON COLUMN sensor.component_code IS 'Class code of the attached component (部件), e.g. 0101 for a manhole cover.';

CREATE TABLE camera (
    camera_id   text PRIMARY KEY CHECK (camera_id <> ''),
    url         text NOT NULL,
    lon         double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
    lat         double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
    calibration jsonb,
    zones       jsonb NOT NULL DEFAULT '[]'::jsonb,
    grid_code   char(15) CHECK (grid_code ~ '^[0-9]{15}$'),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX camera_grid_idx ON camera (grid_code);
COMMENT ON TABLE camera IS 'Registered cameras (监控摄像头) with their ground calibration and image zones, as imported from YAML.';
