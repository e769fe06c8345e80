package io.distillery.mdt.cli;

/** Placeholder entry point; replaced by the picocli command tree. */
public final class Mdt {
  private Mdt() {}

  public static void main(String[] args) {
    System.out.println("mdt");
  }
}
