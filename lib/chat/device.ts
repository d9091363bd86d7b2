import type { AdapterSummary, Backend, DevicePreference } from './protocol';

/**
 * Which backend to run on. WebGPU only on a hardware adapter: a software fallback adapter
 * (SwiftShader and the like) is correct but far slower than WebAssembly for this model.
 * A forced preference is honoured when it can be.
 */
export function chooseBackend(preference: DevicePreference, adapter: AdapterSummary | null): { backend: Backend; note: string | null } {
  if (preference === 'wasm') return { backend: 'wasm', note: null };
  if (preference === 'webgpu') {
    return adapter
      ? { backend: 'webgpu', note: adapter.isFallbackAdapter ? 'WebGPU is running on a software adapter.' : null }
      : { backend: 'wasm', note: 'WebGPU was requested but this browser has no WebGPU adapter; using WebAssembly.' };
  }
  if (adapter && !adapter.isFallbackAdapter) return { backend: 'webgpu', note: null };
  return { backend: 'wasm', note: null };
}

type GpuAdapterLike = { info?: { vendor?: string; architecture?: string; isFallbackAdapter?: boolean }; isFallbackAdapter?: boolean };

/** Asks the browser (window or worker) for a WebGPU adapter, without ever throwing. */
export async function findAdapter(): Promise<AdapterSummary | null> {
  const gpu = (globalThis.navigator as Navigator & { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } })?.gpu;
  if (!gpu) return null;
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return null;
    return {
      vendor: adapter.info?.vendor ?? '',
      architecture: adapter.info?.architecture ?? '',
      // Newer browsers report it on `info`, older ones on the adapter.
      isFallbackAdapter: !!(adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter),
    };
  } catch {
    return null;
  }
}
