import { lz4, zstd, snappy, zlib } from './native-codecs.js';
import { CompressionCodec, Magic } from './batch-header.js';
import { fixLz4HeaderChecksum } from './lz4-frame.js';
import { RecordsError, invalidRecord, unsupportedCompression } from './records-error.js';
import { snappyDecode, xerialEncode } from './snappy-xerial.js';
import { MAX_DECOMPRESSED_BATCH_BYTES, checkDecompressedBound, tooLarge } from './decompressed-bound.js';

function gunzipAsync(data: Buffer, maxOutputLength: number): Promise<Buffer> {
  return new Promise((resolve, reject) => zlib().gunzip(data, { maxOutputLength }, (e, out) => (e ? reject(e) : resolve(out))));
}

function gzipAsync(data: Buffer, level: number): Promise<Buffer> {
  return new Promise((resolve, reject) => zlib().gzip(data, { level }, (e, out) => (e ? reject(e) : resolve(out))));
}

/**
 * Below this size the thread-pool round trip of the async codecs costs more
 * than coding inline, so `compress` runs them synchronously.
 */
const ASYNC_THRESHOLD = 256 * 1024;

/**
 * `decompress` decodes gzip and lz4 payloads below this size inline: 16 KiB of gzip inflates to at
 * most ~16 MiB (zlib's ratio limit is ~1032:1), some 20 ms here; above it the thread pool takes
 * the work so a large or hostile batch does not stall the event loop.
 */
const ASYNC_DECOMPRESS_THRESHOLD = 16 * 1024;

export function isSupportedCodec(codec: number): codec is CompressionCodec {
  return codec >= CompressionCodec.NONE && codec <= CompressionCodec.ZSTD && Number.isInteger(codec);
}

export function codecName(codec: number): string {
  switch (codec) {
    case CompressionCodec.NONE: return 'none';
    case CompressionCodec.GZIP: return 'gzip';
    case CompressionCodec.SNAPPY: return 'snappy';
    case CompressionCodec.LZ4: return 'lz4';
    case CompressionCodec.ZSTD: return 'zstd';
    default: return `unknown(${codec})`;
  }
}

function checkCodec(codec: number, magic: number): void {
  if (!isSupportedCodec(codec)) throw unsupportedCompression(`unknown compression codec ${codec}`);
  if (codec === CompressionCodec.ZSTD && magic < Magic.V2) throw unsupportedCompression('zstd requires magic 2');
}

function failed(codec: number, err: unknown, maxBytes: number): RecordsError {
  if (err instanceof RecordsError) return err;
  // zlib's maxOutputLength stops inflating at the bound and fails with this code.
  if ((err as { code?: unknown })?.code === 'ERR_BUFFER_TOO_LARGE') return tooLarge(maxBytes + 1, maxBytes);
  return invalidRecord(`${codecName(codec)} decompression failed: ${(err as Error)?.message ?? String(err)}`);
}

/**
 * Synchronous decompression for every codec except zstd (the zstd binding
 * here is async-only; use `decompress`). `magic` matters for LZ4 (magic 0
 * frames carry a wrong header checksum) and zstd (v2 only). Output beyond
 * `maxBytes` is INVALID_RECORD, refused before it is allocated: a 1 MiB
 * batch must not become gigabytes in memory (decompressed-bound.ts).
 */
export function decompressSync(codec: number, data: Buffer, magic: number = Magic.V2, maxBytes = MAX_DECOMPRESSED_BATCH_BYTES): Buffer {
  checkCodec(codec, magic);
  try {
    switch (codec) {
      case CompressionCodec.NONE: return data;
      case CompressionCodec.GZIP: return zlib().gunzipSync(data, { maxOutputLength: maxBytes });
      case CompressionCodec.SNAPPY: return snappyDecode(data, maxBytes);
      case CompressionCodec.LZ4:
        checkDecompressedBound(codec, data, maxBytes);
        return lz4().decompressFrameSync(magic === Magic.V0 ? fixLz4HeaderChecksum(data) : data);
      default: throw unsupportedCompression('zstd decompression is async-only here; use decompress()');
    }
  } catch (err) {
    throw failed(codec, err, maxBytes);
  }
}

/** Like decompressSync for every codec; gzip, lz4 and zstd payloads of 16 KiB or more decode on the thread pool. */
export async function decompress(codec: number, data: Buffer, magic: number = Magic.V2, maxBytes = MAX_DECOMPRESSED_BATCH_BYTES): Promise<Buffer> {
  checkCodec(codec, magic);
  try {
    if (codec === CompressionCodec.ZSTD) {
      checkDecompressedBound(codec, data, maxBytes);
      return await zstd().decompress(data);
    }
    if (data.length < ASYNC_DECOMPRESS_THRESHOLD || codec === CompressionCodec.NONE || codec === CompressionCodec.SNAPPY) {
      // Snappy decodes at GB/s, expands at most ~22x, and our xerial handling is synchronous anyway.
      return decompressSync(codec, data, magic, maxBytes);
    }
    if (codec === CompressionCodec.GZIP) return await gunzipAsync(data, maxBytes);
    checkDecompressedBound(codec, data, maxBytes);
    return await lz4().decompressFrame(magic === Magic.V0 ? fixLz4HeaderChecksum(data) : data);
  } catch (err) {
    throw failed(codec, err, maxBytes);
  }
}

export interface CompressOptions {
  /** zlib level, default 6 (zlib's default, like the Java client). */
  gzipLevel?: number;
  /** default 3 (zstd's default). */
  zstdLevel?: number;
  /** 'xerial' (default, what the Java client writes) or one 'raw' snappy block. */
  snappyFraming?: 'xerial' | 'raw';
}

/** Synchronous compression for every codec except zstd. */
export function compressSync(codec: number, data: Buffer, opts: CompressOptions = {}): Buffer {
  checkCodec(codec, Magic.V2);
  switch (codec) {
    case CompressionCodec.NONE: return data;
    case CompressionCodec.GZIP: return zlib().gzipSync(data, { level: opts.gzipLevel ?? 6 });
    case CompressionCodec.SNAPPY: return opts.snappyFraming === 'raw' ? snappy().compressSync(data) : xerialEncode(data);
    case CompressionCodec.LZ4: return lz4().compressFrameSync(data);
    default: throw unsupportedCompression('zstd compression is async-only here; use compress()');
  }
}

export async function compress(codec: number, data: Buffer, opts: CompressOptions = {}): Promise<Buffer> {
  checkCodec(codec, Magic.V2);
  if (codec === CompressionCodec.ZSTD) return zstd().compress(data, opts.zstdLevel ?? 3);
  if (data.length < ASYNC_THRESHOLD || codec === CompressionCodec.NONE || codec === CompressionCodec.SNAPPY) {
    return compressSync(codec, data, opts);
  }
  if (codec === CompressionCodec.GZIP) return gzipAsync(data, opts.gzipLevel ?? 6);
  return lz4().compressFrame(data);
}
