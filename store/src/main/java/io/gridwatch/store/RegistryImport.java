package io.gridwatch.store;

/**
 * What an import into a registry (sensors, cameras) did: entries new to it, changed ones, and ones already stored exactly so.
 */
public record RegistryImport(int inserted, int updated, int unchanged) {
}
