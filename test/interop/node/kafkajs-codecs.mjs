// Snappy, LZ4 and ZSTD codecs for kafkajs, which ships only gzip and takes the others as plugins
// (CompressionCodecs[type] = () => ({ compress(encoder), decompress(buffer) })). Ours, on the same
// native packages the broker uses.
//
// Kafka's snappy comes in two shapes: raw snappy (librdkafka, franz-go, sarama, kafkajs plugins) and the
// Java client's xerial framing:
//   magic 82 53 4e 41 50 50 59 00 ("\x82SNAPPY\0") | version int32 | compatible int32
//   then chunks: length int32 (big-endian) | raw snappy block of that length
// We write raw snappy and read both. LZ4 in Kafka is the LZ4 frame format; zstd is a plain zstd frame.
import kafkajs from 'kafkajs'
import snappy from 'snappy'
import lz4 from 'lz4-napi'
import zstd from '@mongodb-js/zstd'

const { CompressionCodecs, CompressionTypes } = kafkajs

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00])
const XERIAL_HEADER = 16

async function snappyDecompress (buffer) {
  if (buffer.length < XERIAL_HEADER || !buffer.subarray(0, 8).equals(XERIAL_MAGIC)) {
    return snappy.uncompress(buffer, { asBuffer: true })
  }
  const chunks = []
  let pos = XERIAL_HEADER
  while (pos + 4 <= buffer.length) {
    const len = buffer.readUInt32BE(pos)
    pos += 4
    if (pos + len > buffer.length) throw new Error('truncated xerial snappy chunk')
    chunks.push(await snappy.uncompress(buffer.subarray(pos, pos + len), { asBuffer: true }))
    pos += len
  }
  return Buffer.concat(chunks)
}

export function installKafkajsCodecs () {
  CompressionCodecs[CompressionTypes.Snappy] = () => ({
    compress: encoder => snappy.compress(encoder.buffer),
    decompress: snappyDecompress
  })
  CompressionCodecs[CompressionTypes.LZ4] = () => ({
    compress: encoder => lz4.compressFrame(encoder.buffer),
    decompress: buffer => lz4.decompressFrame(buffer)
  })
  CompressionCodecs[CompressionTypes.ZSTD] = () => ({
    compress: encoder => zstd.compress(encoder.buffer, 3),
    decompress: buffer => zstd.decompress(buffer)
  })
}
