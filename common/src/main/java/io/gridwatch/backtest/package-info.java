/**
 * 回测 — backtesting candidate detection rules on recorded readings, without Flink or Kafka.
 *
 * <ul>
 * <li>{@link io.gridwatch.backtest.Backtest} — replays readings through {@link io.gridwatch.rules.RuleEvaluator}
 * and {@link io.gridwatch.cases.CaseTracker}, as the sensor pipeline would have; compares two rule sets.</li>
 * <li>{@link io.gridwatch.backtest.BacktestResult} — what one rule set would have raised.</li>
 * <li>{@link io.gridwatch.backtest.ReplayedCase} — one case of a replay.</li>
 * <li>{@link io.gridwatch.backtest.Comparison} — live against candidate, by problem key.</li>
 * </ul>
 */
package io.gridwatch.backtest;
