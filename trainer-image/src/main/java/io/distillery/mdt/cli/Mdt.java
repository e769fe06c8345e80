package io.distillery.mdt.cli;

import io.distillery.config.ExitCodes;
import io.distillery.config.InvalidConfigException;
import io.distillery.mdt.artifact.CorruptArtifactException;
import io.distillery.mdt.data.BadInputException;
import io.distillery.mdt.data.DatasetException;
import io.distillery.mdt.model.Weights;
import io.distillery.mdt.storage.InvalidStorageInputException;
import io.distillery.mdt.storage.StorageUnavailableException;
import io.distillery.mdt.train.IncompatibleCheckpointException;
import io.distillery.mdt.train.PreemptedException;
import io.distillery.mdt.train.TrainingDivergedException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code mdt}: the one workload program. Subcommands do the work; this maps errors to exit codes.
 */
@Command(
    name = "mdt",
    mixinStandardHelpOptions = true,
    version = "mdt 0.1.0",
    subcommands = {
      TrainTeacherCommand.class,
      SampleCommand.class,
      PipelineCommand.class,
      EvaluateCommand.class,
      DistillCommand.class,
      FetchCommand.class,
      PushCommand.class,
      BenchCommand.class,
      DemoCommand.class,
      InfoCommand.class,
      ServeCommand.class,
      LoadTestCommand.class,
      ProbeCommand.class,
      CommandLine.HelpCommand.class
    },
    description = {
      "Trains flow-matching 3D teachers and distills them into 1-2 step students (MDT-dist).",
      "Exit codes: 0 ok, 1 internal error, 2 invalid configuration or options, 3 invalid input"
          + " (file, shape, artifact, checkpoint, object-storage key or credentials), 4 training"
          + " diverged, 5 gate failed, 6 object storage unreachable, 143 preempted (SIGTERM while"
          + " training: the current step was checkpointed)."
    })
public final class Mdt implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs {@code mdt} with {@code args} and returns the exit code (tests call this). */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Mdt());
    cl.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          int code = exitCode(e);
          if (code == ExitCodes.PREEMPTED) {
            return code; // the loop said where it stopped before the JVM could halt
          }
          commandLine.getErr().println("mdt: " + message(e));
          if (code == ExitCodes.INTERNAL) {
            e.printStackTrace(commandLine.getErr());
          }
          commandLine.getErr().flush();
          return code;
        });
    cl.setExitCodeExceptionMapper(Mdt::exitCode);
    return cl;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The documented exit code of a failure (see {@link ExitCodes}). */
  static int exitCode(Throwable e) {
    Throwable t = unwrap(e);
    if (t instanceof InvalidConfigException || t instanceof CommandLine.ParameterException) {
      return ExitCodes.INVALID_CONFIG;
    }
    if (t instanceof TrainingDivergedException) {
      return ExitCodes.DIVERGED;
    }
    if (t instanceof PreemptedException) {
      return ExitCodes.PREEMPTED;
    }
    if (t instanceof StorageUnavailableException) {
      return ExitCodes.STORAGE_UNAVAILABLE;
    }
    if (t instanceof DatasetException
        || t instanceof CorruptArtifactException
        || t instanceof NoSuchFileException
        || t instanceof IncompatibleCheckpointException
        || t instanceof Weights.IncompatibleWeightsException
        || t instanceof BadInputException
        || t instanceof InvalidStorageInputException) {
      return ExitCodes.INVALID_INPUT;
    }
    return ExitCodes.INTERNAL;
  }

  private static String message(Throwable e) {
    Throwable t = unwrap(e);
    if (t instanceof NoSuchFileException n) {
      return n.getFile()
          + ": no such file or directory"
          + (n.getReason() == null ? "" : " (" + n.getReason() + ")");
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }

  private static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while (t instanceof UncheckedIOException && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof IOException
        && !(t instanceof NoSuchFileException)
        && t.getCause() instanceof NoSuchFileException n) {
      return n;
    }
    return t;
  }
}
