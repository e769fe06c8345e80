package io.distillery.mdt.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import io.distillery.mdt.model.VelocityModel;
import io.distillery.mdt.model.Weights;

/**
 * A network that counts its calls for the training-throughput accounting: wall time and samples,
 * apart for calls that record a graph for backward and calls that do not. Time is taken only while
 * {@link #timing} is on (then a GPU result is waited for, so the time is the network's); otherwise
 * it is a plain pass-through. It does not own the network it wraps.
 */
public final class TimedModel implements VelocityModel {
  /** What the network is in the step. */
  public enum Role {
    /** The network being trained (the student, or the teacher in teacher training). */
    TRAINED,
    /** A frozen teacher. */
    TEACHER,
    /** A copy of the trained network's EMA weights that gives targets (no gradient). */
    TARGET
  }

  private final VelocityModel inner;
  private final Role role;
  private final long flopsPerSample;
  private boolean timing;
  private long nanosRecording;
  private long nanosPlain;
  private long samplesRecording;
  private long samplesPlain;

  public TimedModel(VelocityModel inner, Role role, long flopsPerSample) {
    this.inner = inner;
    this.role = role;
    this.flopsPerSample = flopsPerSample;
  }

  public Role role() {
    return role;
  }

  /** Starts (and clears) or stops counting. */
  public void timing(boolean on) {
    timing = on;
    nanosRecording = nanosPlain = samplesRecording = samplesPlain = 0;
  }

  @Override
  public NDArray velocity(NDArray x, NDArray tTimes1000, NDArray cond, boolean training) {
    if (!timing) {
      return inner.velocity(x, tTimes1000, cond, training);
    }
    boolean recording = JniUtils.isGradMode();
    long t0 = System.nanoTime();
    NDArray v = inner.velocity(x, tTimes1000, cond, training);
    Sync.await(v);
    long dt = System.nanoTime() - t0;
    long n = x.getShape().get(0);
    if (recording) {
      nanosRecording += dt;
      samplesRecording += n;
    } else {
      nanosPlain += dt;
      samplesPlain += n;
    }
    return v;
  }

  /** Seconds in calls that recorded a graph (the trained network's forward with gradient). */
  public double secondsRecording() {
    return nanosRecording / 1e9;
  }

  /** Seconds in calls without a graph. */
  public double secondsPlain() {
    return nanosPlain / 1e9;
  }

  /** Forward FLOPs of the counted calls. */
  public double forwardFlops() {
    return (double) flopsPerSample * (samplesRecording + samplesPlain);
  }

  /** Forward FLOPs of the counted calls that recorded a graph (their backward costs twice that). */
  public double recordedForwardFlops() {
    return (double) flopsPerSample * samplesRecording;
  }

  @Override
  public NDArray features(NDArray x, NDArray tTimes1000, NDArray cond) {
    return inner.features(x, tTimes1000, cond);
  }

  @Override
  public Weights weights() {
    return inner.weights();
  }

  @Override
  public int numClasses() {
    return inner.numClasses();
  }

  @Override
  public int nullClass() {
    return inner.nullClass();
  }

  @Override
  public Shape sampleShape() {
    return inner.sampleShape();
  }

  @Override
  public Device device() {
    return inner.device();
  }

  /** Leaves the wrapped network open: whoever made it closes it. */
  @Override
  public void close() {}
}
