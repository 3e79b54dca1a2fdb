/**
 * The compression and checksum libraries, loaded on first use: each native one is a shared
 * library whose load costs milliseconds, and a broker that never sees an lz4 batch should not pay
 * for lz4 at startup (nor for node:zlib, ~2 ms, without gzip). All are CommonJS packages, so a
 * synchronous require works for the sync paths.
 */
import { createRequire } from 'node:module';
import type * as Lz4 from 'lz4-napi';
import type * as Zstd from '@mongodb-js/zstd';
import type * as Snappy from 'snappy';
import type * as Crc32 from '@node-rs/crc32';
import type * as Zlib from 'node:zlib';

const require = createRequire(import.meta.url);

let lz4Mod: typeof Lz4 | undefined;
let zstdMod: typeof Zstd | undefined;
let snappyMod: typeof Snappy | undefined;
let crcMod: typeof Crc32 | undefined;
let zlibMod: typeof Zlib | undefined;

export function lz4(): typeof Lz4 {
  return (lz4Mod ??= require('lz4-napi') as typeof Lz4);
}

export function zstd(): typeof Zstd {
  return (zstdMod ??= require('@mongodb-js/zstd') as typeof Zstd);
}

export function snappy(): typeof Snappy {
  return (snappyMod ??= require('snappy') as typeof Snappy);
}

export function crc(): typeof Crc32 {
  return (crcMod ??= require('@node-rs/crc32') as typeof Crc32);
}

export function zlib(): typeof Zlib {
  return (zlibMod ??= require('node:zlib') as typeof Zlib);
}
