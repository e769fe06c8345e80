package io.distillery.mdt.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.distillery.mdt.model.Devices;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mdt info}: loads the tensor engine and prints what it found. The CUDA image runs it at
 * build time so that DJL places its CUDA libtorch in the image and never downloads at run time.
 * With {@code --model} it prints an artifact's lineage ({@link LineageReport}).
 */
@Command(
    name = "info",
    mixinStandardHelpOptions = true,
    description = {
      "Load the PyTorch engine and print its version, the GPUs it sees, the device --device"
          + " resolves to and the devices data-parallel training would use (one replica each).",
      "With --model DIR: verify that artifact and print its digest and lineage instead (teacher"
          + " digest, dataset identity, code version, seeds, image, config); the engine is not"
          + " loaded."
    })
public final class InfoCommand implements Callable<Integer> {
  @Option(
      names = "--device",
      paramLabel = "auto|cpu|gpu",
      defaultValue = "auto",
      description = "Device choice to resolve (default: ${DEFAULT-VALUE}).")
  String device;

  @Option(
      names = "--model",
      paramLabel = "DIR",
      description = "An artifact whose lineage to print.")
  Path model;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    if (model != null) {
      LineageReport.print(model, spec.commandLine().getOut());
      return 0;
    }
    Engine engine = Engine.getInstance();
    List<Device> all = Devices.resolveAll(device);
    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        "engine %s %s%ngpus %d%ndevice %s%ntraining devices %d %s%njava %s%n",
        engine.getEngineName(),
        engine.getVersion(),
        engine.getGpuCount(),
        all.get(0),
        all.size(),
        all,
        System.getProperty("java.version"));
    out.flush();
    return 0;
  }
}
