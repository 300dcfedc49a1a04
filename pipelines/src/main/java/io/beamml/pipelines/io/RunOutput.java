package io.beamml.pipelines.io;

import io.beamml.pipelines.options.RunOutputOptions;
import io.beamml.pipelines.progress.LogProgress;
import io.beamml.training.data.PublishedRun;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.util.MimeTypes;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One batch run's output directory, written as a whole or not at all. The job writes into a fresh
 * attempt directory beside the output ({@code PARENT/.NAME.attempt-TIME-PID.N@HOST}), which {@link
 * #publish} then puts in the output's place, so a re-run leaves exactly one run's files and a
 * reader never sees two runs' shards mixed. A run that fails deletes its attempt; one that is
 * killed leaves it, hidden from every glob over the output, and the next run into the same output
 * removes it (unless its process still lives). The attempt directory is owner-only while the job
 * runs; dead letters stay owner-only once published.
 *
 * <p>On a local file system publishing is two renames (the old output aside, the attempt into its
 * place), each atomic. Elsewhere (gs://) there are no directories and a rename is a copy and a
 * delete per file, so the output is replaced file by file in an order that lets {@link
 * PublishedRun} tell a reader it is not complete: {@value PublishedRun#SUCCESS_FILE} goes first,
 * {@value PublishedRun#SUMMARY_FILE} is copied first and the success marker written last.
 */
public final class RunOutput {

  private static final Logger LOG = LoggerFactory.getLogger(RunOutput.class);
  private static final Pattern ATTEMPT =
      Pattern.compile("\\.attempt-\\d{8}T\\d{6}Z-(\\d+)\\.\\d+@(.+)$");
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
  private static final Set<PosixFilePermission> OWNER_DIR =
      PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> OWNER_FILE =
      PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> PUBLISHED_DIR =
      PosixFilePermissions.fromString("rwxr-xr-x");

  /** Attempts this JVM is writing: never removed as stale. */
  private static final Set<String> ACTIVE = ConcurrentHashMap.newKeySet();

  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  /** Directories under an output that only its owner may read (they hold raw input). */
  public static final String DEAD_LETTERS_DIR = "dead-letters";

  private final String target;
  private final String attempt;
  private final @Nullable Path localTarget;
  private final Thread cleanupOnExit;
  private boolean finished;

  private RunOutput(String target, String attempt, @Nullable Path localTarget) {
    this.target = target;
    this.attempt = attempt;
    this.localTarget = localTarget;
    this.cleanupOnExit = new Thread(this::deleteAttempt, "remove-attempt");
  }

  /**
   * Checks that {@code output} can take a run, removes what killed runs left beside it, and creates
   * this run's attempt directory.
   *
   * @param overwrite replace {@code output} even if it holds something other than a run's output
   * @throws OutputRefusedException if it is a file, not writable, being written by another live
   *     run, or not empty, not a run's output and {@code overwrite} is false
   */
  public static RunOutput begin(String output, boolean overwrite) {
    return begin(output, overwrite, localPath(output) != null);
  }

  /**
   * The local file a Beam path names ({@code /x}, {@code file:///x}), or null for gs:// and the
   * like.
   */
  public static @Nullable Path localPath(String beamPath) {
    String p = trimSlash(beamPath);
    if (!"file".equals(FileSystems.matchNewResource(p, true).getScheme())) {
      return null;
    }
    return Paths.get(p.startsWith("file:") ? p.substring("file:".length()) : p).toAbsolutePath();
  }

  /**
   * {@code local} false publishes by copying file by file, as on gs://; tests use it on local
   * disks.
   */
  static RunOutput begin(String output, boolean overwrite, boolean local) {
    String target = trimSlash(output);
    String name = target.substring(target.lastIndexOf('/') + 1);
    if (name.isEmpty() || name.equals(".") || name.equals("..")) {
      throw new OutputRefusedException(
          "output "
              + output
              + " must name a directory of its own, not "
              + (name.isEmpty() ? "a root" : "'" + name + "'"));
    }
    String stamp = ZonedDateTime.now(ZoneOffset.UTC).format(STAMP);
    String suffix =
        ".attempt-"
            + stamp
            + "-"
            + ProcessHandle.current().pid()
            + "."
            + SEQUENCE.incrementAndGet()
            + "@"
            + hostName();
    RunOutput run;
    if (local) {
      Path path = localPath(target);
      Path attempt = path.resolveSibling("." + path.getFileName() + suffix);
      checkLocal(path, output, overwrite);
      removeStaleLocal(path);
      try {
        createOwnerOnlyDirectory(attempt);
      } catch (IOException e) {
        throw new OutputRefusedException(
            "output " + output + " is not writable: cannot create " + attempt + " (" + e + ")", e);
      }
      run = new RunOutput(path.toString(), attempt.toString(), path);
    } else {
      String attempt = target.substring(0, target.length() - name.length()) + "." + name + suffix;
      checkRemote(target, output, overwrite);
      removeStaleRemote(target, name);
      try {
        write(attempt + "/_ATTEMPT", "{\"output\": \"" + target + "\"}\n");
      } catch (IOException e) {
        throw new OutputRefusedException(
            "output "
                + output
                + " is not writable: cannot create "
                + attempt
                + " ("
                + e.getMessage()
                + ")",
            e);
      }
      run = new RunOutput(target, attempt, null);
    }
    ACTIVE.add(run.attempt);
    Runtime.getRuntime().addShutdownHook(run.cleanupOnExit);
    return run;
  }

  /** What a batch job does between choosing its output and publishing it. */
  @FunctionalInterface
  public interface Job<T, E extends Exception> {
    T run() throws E;
  }

  /**
   * Runs {@code job} with {@code --output} pointing at a fresh attempt directory, then publishes it
   * in the output's place; a job that throws leaves nothing behind. When this returns, {@code
   * --output} is the output again and holds exactly this run's files. Every batch job that writes
   * an output directory runs through here.
   */
  public static <T, E extends Exception> T into(RunOutputOptions options, Job<T, E> job) throws E {
    RunOutput output = begin(options.getOutput(), Boolean.TRUE.equals(options.getOverwrite()));
    options.setOutput(output.attempt());
    T result;
    boolean ran = false;
    try {
      result = job.run();
      ran = true;
    } finally {
      options.setOutput(output.target());
      if (!ran) {
        output.abandon();
      }
    }
    output.publish();
    return result;
  }

  /**
   * Waits for a started job; one that did not end DONE is a failure, so its attempt is not
   * published.
   */
  public static PipelineResult finished(PipelineResult result) {
    PipelineResult.State state = result.waitUntilFinish();
    LogProgress.endRun();
    if (state != PipelineResult.State.DONE) {
      throw new IllegalStateException("the job ended " + state + ": its output is not published");
    }
    return result;
  }

  /** Where readers find the run once published. */
  public String target() {
    return target;
  }

  /** Where the job writes while it runs. */
  public String attempt() {
    return attempt;
  }

  /** Puts the finished attempt in the output's place and marks it complete. */
  public void publish() {
    if (finished) {
      throw new IllegalStateException(attempt + " was already published or abandoned");
    }
    try {
      if (localTarget != null) {
        publishLocal();
      } else {
        publishRemote();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot publish " + attempt + " as " + target, e);
    }
    finish();
  }

  /** Deletes the attempt of a run that failed: its partial files (raw input, too) must not stay. */
  public void abandon() {
    if (!finished) {
      deleteAttempt();
      finish();
    }
  }

  private void finish() {
    finished = true;
    ACTIVE.remove(attempt);
    try {
      Runtime.getRuntime().removeShutdownHook(cleanupOnExit);
    } catch (IllegalStateException shuttingDown) {
      // The hook runs or ran already.
    }
  }

  private void deleteAttempt() {
    try {
      if (localTarget != null) {
        deleteTree(Paths.get(attempt));
      } else {
        deleteAll(list(attempt));
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "Could not remove the attempt directory {}: {}; the next run into {} removes it",
          attempt,
          e,
          target);
    }
  }

  // ---- local file systems

  private static void checkLocal(Path path, String output, boolean overwrite) {
    if (Files.exists(path) && !Files.isDirectory(path)) {
      throw new OutputRefusedException("output " + output + " is a file, not a directory");
    }
    Path parent = path.getParent();
    try {
      Files.createDirectories(parent);
    } catch (IOException e) {
      throw new OutputRefusedException(
          "output " + output + " is not writable: cannot create " + parent, e);
    }
    if (!Files.isWritable(parent) || (Files.exists(path) && !Files.isWritable(path))) {
      throw new OutputRefusedException(
          "output "
              + output
              + " is not writable ("
              + parent
              + " must be writable: a run is published by renaming a directory there)");
    }
    if (!overwrite && isNonEmptyDirectory(path) && !PublishedRun.isRunOutput(path.toString())) {
      throw new OutputRefusedException(
          "output "
              + output
              + " is not empty and holds no run's output (no "
              + PublishedRun.SUMMARY_FILE
              + "): pass --overwrite to replace all of it");
    }
  }

  private static boolean isNonEmptyDirectory(Path path) {
    if (!Files.isDirectory(path)) {
      return false;
    }
    try (Stream<Path> entries = Files.list(path)) {
      return entries.findAny().isPresent();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + path, e);
    }
  }

  private static void removeStaleLocal(Path path) {
    String prefix = "." + path.getFileName() + ".";
    List<Path> stale = new ArrayList<>();
    try (Stream<Path> siblings = Files.list(path.getParent())) {
      siblings.filter(p -> p.getFileName().toString().startsWith(prefix)).forEach(stale::add);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + path.getParent(), e);
    }
    for (Path p : stale) {
      String rest = p.getFileName().toString().substring(prefix.length() - 1);
      if (!rest.startsWith(".attempt-") && !rest.startsWith(".replaced-")) {
        continue;
      }
      refuseIfLive(p.toString(), rest, path.toString());
      try {
        deleteTree(p);
        LOG.info("Removed {}, left by a run that did not finish", p);
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot remove " + p + ", left by a run that did not finish", e);
      }
    }
  }

  private void publishLocal() throws IOException {
    Path from = Paths.get(attempt);
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : all.filter(p -> p.getFileName().toString().startsWith(".temp-beam")).toList()) {
        deleteTree(p);
      }
    }
    restrictDeadLetters(from.resolve(DEAD_LETTERS_DIR));
    Files.writeString(from.resolve(PublishedRun.SUCCESS_FILE), marker(), StandardCharsets.UTF_8);
    Path to = localTarget;
    Set<PosixFilePermission> mode = PUBLISHED_DIR;
    if (Files.isDirectory(to) && isPosix(to)) {
      mode = Files.getPosixFilePermissions(to);
    }
    if (isPosix(from)) {
      Files.setPosixFilePermissions(from, mode);
    }
    if (Files.exists(to)) {
      Path aside =
          to.resolveSibling(
              Paths.get(attempt).getFileName().toString().replace(".attempt-", ".replaced-"));
      Files.move(to, aside, StandardCopyOption.ATOMIC_MOVE);
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
      deleteTree(aside);
    } else {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    }
  }

  /** Dead letters keep raw input: their directory and files are for the owner alone. */
  private static void restrictDeadLetters(Path dir) throws IOException {
    if (!Files.isDirectory(dir) || !isPosix(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.toList()) {
        Files.setPosixFilePermissions(p, Files.isDirectory(p) ? OWNER_DIR : OWNER_FILE);
      }
    }
  }

  /**
   * Creates {@code dir} (and missing parents) as owner-only where the file system knows POSIX
   * modes.
   */
  public static void createOwnerOnlyDirectory(Path dir) throws IOException {
    Files.createDirectories(dir.toAbsolutePath().getParent());
    if (isPosix(dir.toAbsolutePath().getParent())) {
      if (!Files.isDirectory(dir)) {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_DIR));
      }
      Files.setPosixFilePermissions(dir, OWNER_DIR);
    } else {
      Files.createDirectories(dir);
    }
  }

  private static boolean isPosix(Path p) {
    return p.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  // ---- other Beam file systems (gs://, ...)

  private static void checkRemote(String target, String output, boolean overwrite) {
    try {
      MatchResult self = FileSystems.match(target, EmptyMatchTreatment.ALLOW);
      if (self.status() == MatchResult.Status.OK
          && !self.metadata().isEmpty()
          && !self.metadata().get(0).resourceId().isDirectory()) {
        throw new OutputRefusedException("output " + output + " is a file, not a directory");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot look for " + target, e);
    }
    if (!overwrite && !list(target).isEmpty() && !PublishedRun.isRunOutput(target)) {
      throw new OutputRefusedException(
          "output "
              + output
              + " is not empty and holds no run's output (no "
              + PublishedRun.SUMMARY_FILE
              + "): pass --overwrite to replace all of it");
    }
  }

  private static void removeStaleRemote(String target, String name) {
    String parent = target.substring(0, target.length() - name.length());
    TreeMap<String, List<ResourceId>> byAttempt = new TreeMap<>();
    for (ResourceId file : list(parent + "." + name + ".attempt-*")) {
      String path = file.toString();
      int end = path.indexOf('/', parent.length());
      byAttempt
          .computeIfAbsent(end < 0 ? path : path.substring(0, end), k -> new ArrayList<>())
          .add(file);
    }
    for (var stale : byAttempt.entrySet()) {
      String rest = stale.getKey().substring(parent.length() + name.length() + 1);
      refuseIfLive(stale.getKey(), rest, target);
      deleteAll(stale.getValue());
      LOG.info(
          "Removed {} ({} files), left by a run that did not finish",
          stale.getKey(),
          stale.getValue().size());
    }
  }

  private void publishRemote() throws IOException {
    List<ResourceId> files = new ArrayList<>();
    for (ResourceId f : list(attempt)) {
      if (!f.toString().contains("/.temp-beam") && !f.toString().endsWith("/_ATTEMPT")) {
        files.add(f);
      }
    }
    // Readers refuse the output from the moment the marker is gone until it is written again.
    FileSystems.delete(
        List.of(resource(target + "/" + PublishedRun.SUCCESS_FILE)),
        MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    String summary = target + "/" + PublishedRun.SUMMARY_FILE;
    List<ResourceId> old = new ArrayList<>();
    for (ResourceId f : list(target)) {
      if (!f.toString().equals(summary)) {
        old.add(f);
      }
    }
    deleteAll(old);
    files.sort(
        Comparator.comparing(
                (ResourceId f) -> !f.toString().endsWith("/" + PublishedRun.SUMMARY_FILE))
            .thenComparing(ResourceId::toString));
    List<ResourceId> to = new ArrayList<>();
    for (ResourceId f : files) {
      to.add(resource(target + f.toString().substring(attempt.length())));
    }
    FileSystems.copy(files, to);
    write(target + "/" + PublishedRun.SUCCESS_FILE, marker());
    deleteAll(list(attempt));
  }

  private static List<ResourceId> list(String directoryOrPattern) {
    String glob =
        directoryOrPattern.contains("*")
            ? directoryOrPattern + "/**"
            : trimSlash(directoryOrPattern) + "/**";
    try {
      MatchResult match = FileSystems.match(glob, EmptyMatchTreatment.ALLOW);
      List<ResourceId> files = new ArrayList<>();
      if (match.status() == MatchResult.Status.OK) {
        for (MatchResult.Metadata m : match.metadata()) {
          if (!m.resourceId().isDirectory()) {
            files.add(m.resourceId());
          }
        }
      }
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + glob, e);
    }
  }

  private static void deleteAll(List<ResourceId> files) {
    try {
      FileSystems.delete(files, MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + files.size() + " files", e);
    }
  }

  private static void write(String path, String text) throws IOException {
    try (OutputStream out =
        Channels.newOutputStream(FileSystems.create(resource(path), MimeTypes.TEXT))) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static ResourceId resource(String path) {
    return FileSystems.matchNewResource(path, false);
  }

  // ---- shared

  /**
   * A stale attempt whose process still runs on this host (or in this JVM) is another run's:
   * refuse.
   */
  private static void refuseIfLive(String attemptPath, String name, String target) {
    if (ACTIVE.contains(attemptPath)) {
      throw new OutputRefusedException(
          "output "
              + target
              + " is being written by another run in this process ("
              + attemptPath
              + ")");
    }
    Matcher m = ATTEMPT.matcher(name);
    if (!m.find() || !m.group(2).equals(hostName())) {
      return;
    }
    long pid = Long.parseLong(m.group(1));
    if (pid != ProcessHandle.current().pid()
        && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
      throw new OutputRefusedException(
          "output "
              + target
              + " is being written by another run (process "
              + pid
              + ", "
              + attemptPath
              + "): wait for it to end");
    }
  }

  private String marker() {
    return "{\"attempt\": \""
        + attempt.substring(attempt.lastIndexOf('/') + 1)
        + "\", \"published\": \""
        + ZonedDateTime.now(ZoneOffset.UTC)
        + "\"}\n";
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown-host";
    }
  }

  private static String trimSlash(String path) {
    String p = path;
    while (p.length() > 1 && p.endsWith("/") && !p.endsWith("://")) {
      p = p.substring(0, p.length() - 1);
    }
    return p;
  }
}
