package io.beamml.inference.registry;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A registry on local (or shared POSIX) files. A file is created if absent by hard-linking a
 * finished temporary file to its name, which fails if the name exists, so readers see it whole or
 * not at all; it is replaced by an atomic rename. A generation is a hash of the bytes.
 */
final class LocalRegistryStorage implements RegistryStorage {

  static final LocalRegistryStorage INSTANCE = new LocalRegistryStorage();

  private LocalRegistryStorage() {}

  /** True for a plain path or a {@code file:} URI. */
  static boolean isLocal(String path) {
    return path.startsWith("file:") || !path.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*");
  }

  private static Path local(String path) {
    return path.startsWith("file:") ? Path.of(URI.create(path)) : Path.of(path);
  }

  @Override
  public @Nullable Versioned read(String path) throws IOException {
    try {
      byte[] bytes = Files.readAllBytes(local(path));
      return new Versioned(bytes, FileSystemsRegistryStorage.generationOf(bytes));
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  @Override
  public List<String> list(String glob) throws IOException {
    return RegistryFiles.list(glob);
  }

  @Override
  public void write(String path, byte[] bytes) throws IOException {
    Path target = local(path);
    Path temp = finishedTemp(target, bytes);
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  @Override
  public OptionalLong writeIfGeneration(String path, byte[] bytes, long expectedGeneration)
      throws IOException {
    if (expectedGeneration != ABSENT) {
      Versioned current = read(path);
      if (current == null || current.generation() != expectedGeneration) {
        return OptionalLong.empty();
      }
      write(path, bytes);
      return OptionalLong.of(FileSystemsRegistryStorage.generationOf(bytes));
    }
    Path target = local(path);
    Path temp = finishedTemp(target, bytes);
    try {
      Files.createLink(target, temp);
      return OptionalLong.of(FileSystemsRegistryStorage.generationOf(bytes));
    } catch (FileAlreadyExistsException e) {
      return OptionalLong.empty();
    } catch (UnsupportedOperationException e) {
      // No hard links here: an exclusive create is still atomic, though a reader may see it partly
      // written.
      try {
        Files.write(target, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return OptionalLong.of(FileSystemsRegistryStorage.generationOf(bytes));
      } catch (FileAlreadyExistsException exists) {
        return OptionalLong.empty();
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  @Override
  public boolean deleteIfGeneration(String path, long generation) throws IOException {
    Versioned current = read(path);
    if (current == null || current.generation() != generation) {
      return false;
    }
    return Files.deleteIfExists(local(path));
  }

  @Override
  public boolean atomicCreate() {
    return true;
  }

  /**
   * A hidden file beside {@code target} holding {@code bytes}, created like any other file (so with
   * the same permissions a plain write would give, unlike {@link Files#createTempFile}'s
   * owner-only).
   */
  private static Path finishedTemp(Path target, byte[] bytes) throws IOException {
    Files.createDirectories(target.getParent());
    Path temp =
        target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    Files.write(temp, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    return temp;
  }
}
