# Build infrastructure, sourced by image/fetch-cuda.sh: the pinned inputs of the CUDA image variant (vernier:VERSION-cuda).
# Wheels from PyPI (pip checks each SHA-256 with --require-hashes), and the libraries the image takes from them.
# The CUDA provider's ldd closure: libcudart.so.13, libcublas.so.13, libcublasLt.so.13, libcurand.so.10 (+ the
# driver's libcuda.so.1, which the GPU node's container runtime mounts). What it dlopens: libcudnn.so.9 (cuDNN's shim,
# which dlopens the sub-libraries below) and libnvrtc.so.13 (which dlopens libnvrtc-builtins.so.13.0).

# onnxruntime-gpu is the same release as onnxruntime-node 1.30.0 (git commit f2c39fe2f; stage.sh checks it).
CUDA_ORT_VERSION=1.30.0

# requirement    sha256 of the manylinux x86_64 wheel
CUDA_WHEELS=(
  "onnxruntime-gpu==1.30.0      4fbf0c5d7b5fb99266c2e8a802e3e64af68bdc383e0f3c7349b985f1087eedaa"
  "nvidia-cuda-runtime==13.0.96 7f82250d7782aa23b6cfe765ecc7db554bd3c2870c43f3d1821f1d18aebf0548"
  "nvidia-cublas==13.1.0.3      ee8722c1f0145ab246bccb9e452153b5e0515fd094c3678df50b2a0888b8b171"
  "nvidia-curand==10.4.0.35     1aee33a5da6e1db083fe2b90082def8915f30f3248d5896bcec36a579d941bfc"
  "nvidia-cuda-nvrtc==13.0.88   ad9b6d2ead2435f11cbb6868809d2adeeee302e9bb94bcf0539c7a40d80e8575"
  "nvidia-cudnn-cu13==9.17.1.4  6919fbd8c7bc8bdef276ab5c649c85206636aac1dceb77e650895c0fb6fb4f01"
)
# onnxruntime-gpu's wheel is per Python version; its native libraries are not, so one is pinned.
CUDA_WHEEL_PYTHON=3.11
CUDA_WHEEL_PLATFORMS=(manylinux_2_28_x86_64 manylinux_2_27_x86_64 manylinux_2_17_x86_64 manylinux2014_x86_64 manylinux_2_12_x86_64 manylinux2010_x86_64)

# path inside a wheel    where it goes: ort (next to onnxruntime-node's libonnxruntime.so.1) or cuda (/usr/local/cuda/lib64)
CUDA_LIBRARIES=(
  # The provider bridge and the CUDA provider; onnxruntime loads them from its own directory.
  "onnxruntime/capi/libonnxruntime_providers_shared.so      ort"
  "onnxruntime/capi/libonnxruntime_providers_cuda.so        ort"
  "nvidia/cu13/lib/libcudart.so.13                          cuda"
  "nvidia/cu13/lib/libcublas.so.13                          cuda"
  "nvidia/cu13/lib/libcublasLt.so.13                        cuda"
  "nvidia/cu13/lib/libcurand.so.10                          cuda"
  # Runtime compilation: cuBLASLt and cuDNN's engines JIT some kernels.
  "nvidia/cu13/lib/libnvrtc.so.13                           cuda"
  "nvidia/cu13/lib/libnvrtc-builtins.so.13.0                cuda"
  # cuDNN 9: the shim, the graph API (which loads the engines and heuristics), legacy ops (pooling, reductions) and conv.
  "nvidia/cudnn/lib/libcudnn.so.9                           cuda"
  "nvidia/cudnn/lib/libcudnn_graph.so.9                     cuda"
  "nvidia/cudnn/lib/libcudnn_engines_precompiled.so.9       cuda"
  "nvidia/cudnn/lib/libcudnn_engines_runtime_compiled.so.9  cuda"
  "nvidia/cudnn/lib/libcudnn_heuristic.so.9                 cuda"
  "nvidia/cudnn/lib/libcudnn_ops.so.9                       cuda"
  "nvidia/cudnn/lib/libcudnn_cnn.so.9                       cuda"
)
# Left out on purpose: libonnxruntime.so.1.30.0 (onnxruntime-node's own core loads this provider; same commit), the
# TensorRT provider (needs TensorRT), libcudnn_adv.so.9 (109 MB; only RNN/LSTM/GRU ops use it), cuFFT (286 MB; only
# the DFT/STFT ops dlopen it), nvJitLink, cuBLAS's nvblas.
