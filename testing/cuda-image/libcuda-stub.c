/* Test infrastructure (testing/cuda-image/check-cuda-image.sh), never shipped: a stand-in for the NVIDIA driver's
 * libcuda.so.1 on a machine without a GPU. It answers the CUDA runtime's driver entry-point queries and reports
 * CUDA_ERROR_NO_DEVICE from cuInit, so loading onnxruntime's CUDA provider gets past library loading and then fails
 * exactly as on a node with no visible GPU. Build: gcc -shared -fPIC -Wl,-soname,libcuda.so.1 -o libcuda.so.1 libcuda-stub.c */
#include <string.h>

typedef int CUresult;
enum { CUDA_SUCCESS = 0, CUDA_ERROR_NO_DEVICE = 100, CUDA_ERROR_NOT_FOUND = 500 };

CUresult cuInit(unsigned int flags) { (void)flags; return CUDA_ERROR_NO_DEVICE; }
CUresult cuDriverGetVersion(int *version) { if (version) *version = 13000; return CUDA_SUCCESS; }
CUresult cuDeviceGetCount(int *count) { if (count) *count = 0; return CUDA_ERROR_NO_DEVICE; }
CUresult cuGetErrorString(CUresult error, const char **text) { (void)error; if (text) *text = "no CUDA-capable device is detected"; return CUDA_SUCCESS; }
CUresult cuGetErrorName(CUresult error, const char **text) { (void)error; if (text) *text = "CUDA_ERROR_NO_DEVICE"; return CUDA_SUCCESS; }
/* The CUDA provider links this one directly; it is never reached without a device. */
CUresult cuTensorMapEncodeTiled(void) { return CUDA_ERROR_NO_DEVICE; }

CUresult cuGetProcAddress_v2(const char *name, void **fn, int version, unsigned long long flags, int *status);

/* The CUDA runtime finds every driver function through cuGetProcAddress; unknown ones are reported missing. */
static void *entry_point(const char *name) {
  if (!strcmp(name, "cuInit")) return (void *)cuInit;
  if (!strcmp(name, "cuDriverGetVersion")) return (void *)cuDriverGetVersion;
  if (!strcmp(name, "cuDeviceGetCount")) return (void *)cuDeviceGetCount;
  if (!strcmp(name, "cuGetErrorString")) return (void *)cuGetErrorString;
  if (!strcmp(name, "cuGetErrorName")) return (void *)cuGetErrorName;
  if (!strcmp(name, "cuGetProcAddress")) return (void *)cuGetProcAddress_v2;
  return 0;
}

CUresult cuGetProcAddress_v2(const char *name, void **fn, int version, unsigned long long flags, int *status) {
  (void)version; (void)flags;
  *fn = entry_point(name);
  if (status) *status = *fn ? 0 : 1;
  return *fn ? CUDA_SUCCESS : CUDA_ERROR_NOT_FOUND;
}

CUresult cuGetProcAddress(const char *name, void **fn, int version, unsigned long long flags) {
  return cuGetProcAddress_v2(name, fn, version, flags, 0);
}
