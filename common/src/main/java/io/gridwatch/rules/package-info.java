/**
 * Sensor detection rules as data, and their evaluation, without Flink (CONTRACTS.md §1).
 *
 * <ul>
 * <li>{@link io.gridwatch.rules.Rule} — one rule (JSON on {@code gw.rules.v1}); kinds threshold, rate,
 * window sum, offline; scope, schedule, family.</li>
 * <li>{@link io.gridwatch.rules.RuleSet} — an immutable, indexed set; the shipped defaults.</li>
 * <li>{@link io.gridwatch.rules.RuleEvaluator} — readings and timers in, detections out.</li>
 * <li>{@link io.gridwatch.rules.SensorRuleState} — what is kept per sensor (a few hundred bytes).</li>
 * </ul>
 */
package io.gridwatch.rules;
