package io.gridwatch.testkit;

import io.gridwatch.stack.PostgresEndpoint;

/** The three services of one test JVM, from whichever backend runs them. */
interface ServiceBackend extends AutoCloseable {

    /** Kafka bootstrap servers; the topics of the registry exist. */
    String kafkaBootstrap();

    String mqttUri();

    /** A PostgreSQL server on which databases may be created and dropped. */
    PostgresEndpoint postgres();

    /** One line: which backend and where its services are. */
    String describe();

    /** Stops what this backend started; never throws. */
    @Override
    void close();
}
