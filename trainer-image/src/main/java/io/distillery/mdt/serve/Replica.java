package io.distillery.mdt.serve;

/**
 * One copy of the served model on one device and the batch queue in front of it.
 *
 * @param device the metrics label: {@code gpu0}, {@code gpu1}, ..., or {@code cpu0}, ...
 */
record Replica(String device, ServingModel model, BatchScheduler scheduler) {}
