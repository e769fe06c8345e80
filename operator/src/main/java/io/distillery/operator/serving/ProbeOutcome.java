package io.distillery.operator.serving;

import io.distillery.config.CanaryProbeReport;

/**
 * What a finished probe pod left: its report, or why there is none ({@code report} null, {@code
 * failure} set).
 */
public record ProbeOutcome(CanaryProbeReport report, String failure) {}
