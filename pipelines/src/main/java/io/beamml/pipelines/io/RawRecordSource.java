package io.beamml.pipelines.io;

import io.beamml.pipelines.progress.LogProgress;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.util.Arrays;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.io.FileBasedSource;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult.Metadata;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.ValueProvider;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The records of text files as the exact bytes read: Beam's {@link FileBasedSource} does the file
 * matching, sizing and splitting, this reader only frames records. A record ends at {@code \n},
 * {@code \r\n} or {@code \r}, like TextIO's lines, and a UTF-8 byte-order mark at the start of a
 * file is dropped, like TextIO does; nothing is decoded, so Parse can refuse invalid UTF-8.
 *
 * <p>With quoted line breaks (CSV, RFC 4180) a line break inside a quoted field belongs to the
 * record. Whether a byte offset lies inside quotes can only be known by reading from the start of
 * the file, so such a source is not splittable: each file is read by one reader, front to back. A
 * quote opens a field only at the field's start; an open quote that never closes would take the
 * rest of the file, so once a record is longer than the record limit its next line break ends it
 * however the quotes stand.
 *
 * <p>A record longer than the limit is cut to its first {@code limit + 1} bytes (the rest is read
 * past, not held), which is enough for Parse to refuse it as too long.
 */
final class RawRecordSource extends FileBasedSource<byte[]> {

  private static final long serialVersionUID = 1L;

  private final boolean quotedLineBreaks;
  private final long maxRecordBytes;

  /** What each record read ticks in the progress line ({@link LogProgress}); null for nothing. */
  private final @Nullable String progress;

  RawRecordSource(
      ValueProvider<String> fileOrPattern,
      EmptyMatchTreatment emptyMatchTreatment,
      boolean quotedLineBreaks,
      long maxRecordBytes,
      @Nullable String progress) {
    super(fileOrPattern, emptyMatchTreatment, 1L);
    this.quotedLineBreaks = quotedLineBreaks;
    this.maxRecordBytes = maxRecordBytes;
    this.progress = progress;
  }

  private RawRecordSource(
      Metadata file,
      long start,
      long end,
      boolean quotedLineBreaks,
      long maxRecordBytes,
      @Nullable String progress) {
    super(file, 1L, start, end);
    this.quotedLineBreaks = quotedLineBreaks;
    this.maxRecordBytes = maxRecordBytes;
    this.progress = progress;
  }

  @Override
  protected FileBasedSource<byte[]> createForSubrangeOfFile(Metadata file, long start, long end) {
    return new RawRecordSource(file, start, end, quotedLineBreaks, maxRecordBytes, progress);
  }

  @Override
  protected FileBasedReader<byte[]> createSingleFileReader(PipelineOptions options) {
    return new RecordReader(this);
  }

  @Override
  protected boolean isSplittable() throws Exception {
    return !quotedLineBreaks && super.isSplittable();
  }

  @Override
  public Coder<byte[]> getOutputCoder() {
    return ByteArrayCoder.of();
  }

  /** Frames records in a buffer; copies each record's bytes once, into the record emitted. */
  private static final class RecordReader extends FileBasedReader<byte[]> {

    private static final int BUFFER_BYTES = 64 * 1024;
    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte QUOTE = '"';
    private static final byte COMMA = ',';

    // CSV states at the current byte of a record.
    private static final int FIELD_START = 0;
    private static final int UNQUOTED = 1;
    private static final int QUOTED = 2;
    private static final int QUOTE_IN_QUOTED = 3;

    private final boolean quotedLineBreaks;
    private final long maxRecordBytes;
    private final byte[] buffer = new byte[BUFFER_BYTES];
    private final ByteBuffer wrapped = ByteBuffer.wrap(buffer);
    private ReadableByteChannel channel;
    private int length;
    private int pos;

    /** File offset of {@code buffer[pos]}. */
    private long offset;

    private boolean firstRecord = true;
    private long startOfRecord;
    private byte[] record = new byte[1024];
    private int recordLength;
    private byte[] current;

    private final @Nullable String progress;

    RecordReader(RawRecordSource source) {
      super(source);
      this.quotedLineBreaks = source.quotedLineBreaks;
      this.maxRecordBytes = source.maxRecordBytes;
      this.progress = source.progress;
    }

    @Override
    protected boolean readNextRecord() throws IOException {
      boolean read = frameNextRecord();
      if (read && progress != null) {
        LogProgress.tick(progress);
      }
      return read;
    }

    @Override
    protected void startReading(ReadableByteChannel channel) throws IOException {
      this.channel = channel;
      long start = getCurrentSource().getStartOffset();
      if (start > 0) {
        // The record under way at start belongs to the range before; begin after its end.
        ((SeekableByteChannel) channel).position(start - 1);
        offset = start - 1;
        firstRecord = false;
        skipPastLineBreak();
      } else if (peek() == 0xEF && startsWithBom()) {
        pos += 3;
        offset += 3;
      }
    }

    private boolean startsWithBom() {
      return length - pos >= 3 && buffer[pos + 1] == (byte) 0xBB && buffer[pos + 2] == (byte) 0xBF;
    }

    private void skipPastLineBreak() throws IOException {
      while (true) {
        int b = next();
        if (b < 0 || b == LF) {
          return;
        }
        if (b == CR) {
          if (peek() == LF) {
            next();
          }
          return;
        }
      }
    }

    private boolean frameNextRecord() throws IOException {
      long begin = offset;
      startOfRecord = firstRecord ? 0 : begin;
      firstRecord = false;
      recordLength = 0;
      long seen = 0;
      int state = FIELD_START;
      while (true) {
        if (pos == length && !fill()) {
          if (offset == begin) {
            current = null;
            return false;
          }
          break;
        }
        int i = pos;
        boolean lineBreak = false;
        for (; i < length; i++) {
          byte b = buffer[i];
          if (b == LF || b == CR) {
            if (!quotedLineBreaks || state != QUOTED || seen + (i - pos) > maxRecordBytes) {
              lineBreak = true;
              break;
            }
          } else if (quotedLineBreaks) {
            state = next(state, b);
          }
        }
        if (lineBreak && seen == 0 && i - pos <= maxRecordBytes + 1) {
          // The usual case: the whole record is in the buffer; copy it once, straight out.
          current = Arrays.copyOfRange(buffer, pos, i);
          offset += i - pos;
          pos = i;
          endLine();
          return true;
        }
        append(i - pos);
        seen += i - pos;
        offset += i - pos;
        pos = i;
        if (lineBreak) {
          endLine();
          break;
        }
      }
      current = Arrays.copyOf(record, recordLength);
      return true;
    }

    /** Steps over the line break at {@code pos}: one byte, or two for {@code \r\n}. */
    private void endLine() throws IOException {
      byte b = buffer[pos++];
      offset++;
      if (b == CR && peek() == LF) {
        pos++;
        offset++;
      }
    }

    private static int next(int state, byte b) {
      switch (state) {
        case FIELD_START:
          return b == QUOTE ? QUOTED : b == COMMA ? FIELD_START : UNQUOTED;
        case UNQUOTED:
          return b == COMMA ? FIELD_START : UNQUOTED;
        case QUOTED:
          return b == QUOTE ? QUOTE_IN_QUOTED : QUOTED;
        default: // QUOTE_IN_QUOTED: a doubled quote, or the field's closing quote
          return b == QUOTE ? QUOTED : b == COMMA ? FIELD_START : UNQUOTED;
      }
    }

    /** Appends {@code n} bytes from {@code pos}, holding at most {@code maxRecordBytes + 1}. */
    private void append(int n) {
      long room = maxRecordBytes + 1 - recordLength;
      int take = (int) Math.min(n, Math.max(0, room));
      if (take == 0) {
        return;
      }
      if (recordLength + take > record.length) {
        record = Arrays.copyOf(record, Math.max(record.length * 2, recordLength + take));
      }
      System.arraycopy(buffer, pos, record, recordLength, take);
      recordLength += take;
    }

    private int next() throws IOException {
      if (pos == length && !fill()) {
        return -1;
      }
      offset++;
      return buffer[pos++] & 0xFF;
    }

    private int peek() throws IOException {
      if (pos == length && !fill()) {
        return -1;
      }
      return buffer[pos] & 0xFF;
    }

    private boolean fill() throws IOException {
      wrapped.clear();
      int n;
      do {
        n = channel.read(wrapped);
      } while (n == 0);
      if (n < 0) {
        return false;
      }
      length = n;
      pos = 0;
      return true;
    }

    @Override
    protected long getCurrentOffset() throws NoSuchElementException {
      if (current == null) {
        throw new NoSuchElementException();
      }
      return startOfRecord;
    }

    @Override
    public byte[] getCurrent() throws NoSuchElementException {
      if (current == null) {
        throw new NoSuchElementException();
      }
      return current;
    }

    @Override
    public boolean allowsDynamicSplitting() {
      return !quotedLineBreaks;
    }
  }
}
