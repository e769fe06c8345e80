package io.distillery.mdt.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The few object-storage operations mdt needs, over the S3 API, with every SDK failure turned into
 * a {@link StorageException} that names the URI and the problem: {@link
 * InvalidStorageInputException} when the server answered no (exit code 3), {@link
 * StorageUnavailableException} when it did not answer or kept failing (exit code 6).
 *
 * <p>Bounded: a connection attempt waits {@value #CONNECT_SECONDS} s, a read {@value #READ_SECONDS}
 * s, and a request is tried {@value #ATTEMPTS} times, so an unreachable endpoint fails within about
 * 30 s.
 */
public final class ObjectStore implements AutoCloseable {
  static final int CONNECT_SECONDS = 5;
  static final int READ_SECONDS = 10;
  static final int ATTEMPTS = 3;

  private final S3Client s3;
  private final String endpoint;

  /** One object under a prefix: its key relative to the prefix, and its size. */
  public record RemoteObject(String name, long size) {}

  private ObjectStore(S3Client s3, String endpoint) {
    this.s3 = s3;
    this.endpoint = endpoint;
  }

  /** A client for {@code settings}; nothing is contacted yet. */
  public static ObjectStore open(S3Settings settings) {
    AwsCredentialsProvider credentials =
        settings.accessKeyId() == null
            ? DefaultCredentialsProvider.builder().build()
            : StaticCredentialsProvider.create(
                AwsBasicCredentials.create(settings.accessKeyId(), settings.secretAccessKey()));
    S3ClientBuilder b =
        S3Client.builder()
            .region(Region.of(settings.region()))
            .credentialsProvider(credentials)
            .forcePathStyle(settings.pathStyle())
            // S3-compatible servers differ in the optional checksums they accept; send them only
            // where the API requires them.
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .httpClientBuilder(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(Duration.ofSeconds(CONNECT_SECONDS))
                    .socketTimeout(Duration.ofSeconds(READ_SECONDS)))
            .overrideConfiguration(
                o ->
                    o.retryStrategy(
                        AwsRetryStrategy.standardRetryStrategy().toBuilder()
                            .maxAttempts(ATTEMPTS)
                            .build()));
    if (settings.endpoint() != null) {
      b.endpointOverride(settings.endpoint());
    }
    return new ObjectStore(b.build(), settings.endpointName());
  }

  /** The endpoint, as messages name it. */
  public String endpoint() {
    return endpoint;
  }

  /** Every object under {@code prefix}, by name relative to it, sorted. */
  public List<RemoteObject> list(S3Location prefix) throws StorageException {
    List<RemoteObject> found = new ArrayList<>();
    try {
      for (S3Object o :
          s3.listObjectsV2Paginator(r -> r.bucket(prefix.bucket()).prefix(prefix.prefix()))
              .contents()) {
        found.add(new RemoteObject(o.key().substring(prefix.prefix().length()), o.size()));
      }
    } catch (SdkException e) {
      throw failure("list", prefix, e);
    }
    found.sort(Comparator.comparing(RemoteObject::name));
    return found;
  }

  /**
   * Downloads every object under {@code prefix} into {@code dir} (created), keeping the relative
   * names; fails when there is none.
   */
  public List<String> downloadPrefix(S3Location prefix, Path dir) throws IOException {
    List<RemoteObject> objects = list(prefix);
    if (objects.isEmpty()) {
      throw new InvalidStorageInputException(
          prefix + ": no objects under this prefix (at " + endpoint + ")");
    }
    List<String> names = new ArrayList<>();
    for (RemoteObject o : objects) {
      if (o.name().endsWith("/")) {
        continue; // a "directory marker" some tools create
      }
      download(prefix.child(o.name()), local(dir, o.name(), prefix));
      names.add(o.name());
    }
    return names;
  }

  /** Downloads one object to {@code file} (replaced if present). */
  public void download(S3Location object, Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.deleteIfExists(file);
    try {
      s3.getObject(r -> r.bucket(object.bucket()).key(object.key()), file);
    } catch (SdkException e) {
      Files.deleteIfExists(file);
      throw failure("download", object, e);
    }
  }

  /** Uploads {@code file} as {@code object}. */
  public void upload(Path file, S3Location object) throws StorageException {
    try {
      s3.putObject(r -> r.bucket(object.bucket()).key(object.key()), RequestBody.fromFile(file));
    } catch (SdkException e) {
      throw failure("upload", object, e);
    }
  }

  /**
   * Uploads every regular file under {@code dir} below {@code prefix}, {@code last} (a name
   * relative to {@code dir}, e.g. the manifest) after all others: a reader that waits for {@code
   * last} never sees a half-uploaded tree.
   */
  public void uploadTree(Path dir, S3Location prefix, String last) throws IOException {
    List<String> names = new ArrayList<>();
    try (Stream<Path> all = Files.walk(dir)) {
      all.filter(Files::isRegularFile)
          .map(p -> dir.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/"))
          .sorted()
          .forEach(names::add);
    }
    boolean hasLast = names.remove(last);
    for (String name : names) {
      upload(dir.resolve(name), prefix.child(name));
    }
    if (hasLast) {
      upload(dir.resolve(last), prefix.child(last));
    }
  }

  /**
   * Deletes every object under {@code prefix}, {@code first} before the others: once it is gone a
   * reader no longer takes the rest for complete.
   */
  public void deletePrefix(S3Location prefix, String first) throws StorageException {
    List<String> names = new ArrayList<>(list(prefix).stream().map(RemoteObject::name).toList());
    if (names.remove(first)) {
      delete(prefix.child(first));
    }
    for (String name : names) {
      delete(prefix.child(name));
    }
  }

  /** Deletes one object (absent is fine). */
  public void delete(S3Location object) throws StorageException {
    try {
      s3.deleteObject(r -> r.bucket(object.bucket()).key(object.key()));
    } catch (SdkException e) {
      throw failure("delete", object, e);
    }
  }

  /** {@code dir/name}, refusing a name that would land outside {@code dir}. */
  private static Path local(Path dir, String name, S3Location prefix)
      throws InvalidStorageInputException {
    Path base = dir.toAbsolutePath().normalize();
    Path file = base.resolve(name).normalize();
    if (!file.startsWith(base) || file.equals(base)) {
      throw new InvalidStorageInputException(
          prefix + ": object name '" + name + "' points outside the download directory");
    }
    return file;
  }

  /** What an SDK failure means for mdt: the server said no (3), or did not answer (6). */
  private StorageException failure(String action, S3Location where, SdkException e) {
    if (e instanceof AwsServiceException s) {
      int status = s.statusCode();
      String code = s.awsErrorDetails() == null ? null : s.awsErrorDetails().errorCode();
      if (status >= 500) {
        return new StorageUnavailableException(
            where
                + ": "
                + action
                + " failed at "
                + endpoint
                + ": server error "
                + status
                + (code == null ? "" : " " + code)
                + " after "
                + ATTEMPTS
                + " attempts",
            e);
      }
      return new InvalidStorageInputException(
          where + ": " + action + " refused by " + endpoint + ": " + meaning(code, status), e);
    }
    if (causedByIo(e)) {
      return new StorageUnavailableException(
          where
              + ": "
              + action
              + " failed: object storage at "
              + endpoint
              + " is unreachable ("
              + rootMessage(e)
              + ") after "
              + ATTEMPTS
              + " attempts",
          e);
    }
    return new InvalidStorageInputException(
        where + ": " + action + " failed at " + endpoint + ": " + rootMessage(e), e);
  }

  private static String meaning(String code, int status) {
    if (code == null) {
      return "HTTP " + status;
    }
    return switch (code) {
      case "NoSuchBucket" -> "no such bucket (NoSuchBucket)";
      case "NoSuchKey" -> "no such key (NoSuchKey)";
      case "AccessDenied" -> "access denied (AccessDenied)";
      case "InvalidAccessKeyId" ->
          "the server does not know this access key (InvalidAccessKeyId; check"
              + " AWS_ACCESS_KEY_ID)";
      case "SignatureDoesNotMatch" ->
          "the request signature does not match (SignatureDoesNotMatch; check"
              + " AWS_SECRET_ACCESS_KEY)";
      default -> code + " (HTTP " + status + ")";
    };
  }

  private static boolean causedByIo(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IOException) { // refused, reset, timed out, unknown host
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  @Override
  public void close() {
    s3.close();
  }
}
