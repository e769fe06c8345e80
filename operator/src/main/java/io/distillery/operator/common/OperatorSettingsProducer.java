package io.distillery.operator.common;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.Config;

/** Makes {@link OperatorSettings} a bean, read once from the application's configuration. */
@Singleton
public class OperatorSettingsProducer {
  @Produces
  @Singleton
  OperatorSettings operatorSettings(Config config) {
    return OperatorSettings.fromConfig(config);
  }
}
