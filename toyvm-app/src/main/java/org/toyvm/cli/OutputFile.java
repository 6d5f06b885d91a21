package org.toyvm.cli;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The files a command writes ({@code --json}, {@code --plot}, {@code --trace-iotlb}): checked before
 * the run, so that a path that cannot be written is a user error in one line instead of a Java
 * exception after an hour of simulation; a write that still fails later (a full disk) is one line too.
 */
final class OutputFile {
    private OutputFile() {
    }

    /**
     * Opens {@code file} for writing without truncating it, then closes it; a file this check created is
     * removed again. Catches a missing or non-directory parent, a directory in the file's place, no
     * permission and a read-only file system — as the later write would meet them.
     *
     * @throws UsageException naming the option, the path and the reason
     */
    static void checkWritable(String option, Path file) {
        if (file.getFileName() == null) {
            throw new UsageException("bad " + option + " '" + file + "': not a file name");
        }
        if (Files.isDirectory(file)) {
            throw new UsageException("bad " + option + " '" + file + "': is a directory");
        }
        boolean existed = Files.exists(file);
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.CREATE)) {
            // Opening is the check.
        } catch (IOException | SecurityException e) {
            throw new UsageException("bad " + option + " '" + file + "': cannot write: " + reason(e));
        }
        if (!existed) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // Left empty; the run writes it later anyway.
            }
        }
    }

    /** Writes {@code text}; a failure is one line naming the option, the path and the reason. */
    static void write(String option, Path file, String text) throws RunFailure {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new RunFailure(option + " " + file + ": write failed: " + reason(e));
        }
    }

    /** The reason of an I/O error without its Java class name: "No such file or directory", not NoSuchFileException. */
    static String reason(Exception e) {
        if (e instanceof FileSystemException fse) {
            if (fse.getReason() != null) {
                return fse.getReason();
            }
            return switch (fse.getClass().getSimpleName()) {
                case "NoSuchFileException" -> "no such file or directory";
                case "AccessDeniedException" -> "permission denied";
                case "NotDirectoryException" -> "not a directory";
                case "FileAlreadyExistsException" -> "file exists";
                default -> "cannot access the file";
            };
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
