/**
 * The engine's CUDA backend: {@link dev.switchboard.inference.cuda.CudaBackend}, reached through FFM only (the
 * driver API, NVRTC and cuBLAS are found at run time by {@link dev.switchboard.inference.cuda.CudaLibraries}), with
 * kernels of our own shipped as CUDA C resources and compiled by NVRTC for the device at first start (cached on
 * disk by {@link dev.switchboard.inference.cuda.CubinCache}). Without a GPU,
 * {@link dev.switchboard.inference.backend.Backends} says why in one line and opens the CPU backend.
 *
 * <h2>On a machine with a GPU</h2>
 * {@code bin/gpu-prepare} builds, jlinks a Java runtime into {@code .device/} with the engine classes and
 * stories260K, and prints the device-tool call that runs {@link dev.switchboard.inference.cuda.GpuCheck} (GPU
 * against CPU; exit status 0 only when every check passes) and {@link dev.switchboard.inference.cuda.CudaBench}
 * (decode tok/s at 1/8/32/64 streams in bf16 and fp8, next to the measured copy bandwidth).
 *
 * <h2>What to expect (predictions, not measurements)</h2>
 * Llama 3 8B reads 15.0 GB of bf16 weights per decode step (7.5 GB in fp8). At the ~3.0 TB/s device-to-device
 * copy seen on this workplace's H100 that is a batch-1 ceiling of ~200 tok/s in bf16 and ~400 tok/s in fp8; the
 * GEMV kernels (one warp per row, 16-byte loads, 4 in flight per lane) should reach 70–85% of it in bf16. FP8
 * decodes each byte with a few integer and float instructions, so it may fall short of its ceiling by more.
 * Throughput at 32 and 64 streams runs the bf16 products through cuBLAS and should be several times batch 1.
 */
package dev.switchboard.inference.cuda;
