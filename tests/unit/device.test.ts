import { describe, expect, it } from 'vitest';
import { chooseBackend } from '@/lib/chat/device';
import { DEFAULT_TUNING, devicePreferenceFrom, tuningFrom } from '@/lib/chat/protocol';

const hardware = { vendor: 'nvidia', architecture: 'ampere', isFallbackAdapter: false };
const software = { vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: true };

describe('backend choice', () => {
  it('prefers WebGPU on a hardware adapter and WebAssembly on a software one or none', () => {
    expect(chooseBackend('auto', hardware)).toEqual({ backend: 'webgpu', note: null });
    expect(chooseBackend('auto', software)).toEqual({ backend: 'wasm', note: null });
    expect(chooseBackend('auto', null)).toEqual({ backend: 'wasm', note: null });
  });

  it('honours a forced backend, and says so when it cannot', () => {
    expect(chooseBackend('webgpu', software)).toEqual({ backend: 'webgpu', note: 'WebGPU is running on a software adapter.' });
    expect(chooseBackend('wasm', hardware)).toEqual({ backend: 'wasm', note: null });
    const noGpu = chooseBackend('webgpu', null);
    expect(noGpu.backend).toBe('wasm');
    expect(noGpu.note).toMatch(/no WebGPU adapter/);
  });

  it('reads ?device= from the address, ignoring anything unknown', () => {
    expect(devicePreferenceFrom('?device=webgpu')).toBe('webgpu');
    expect(devicePreferenceFrom('?x=1&device=wasm')).toBe('wasm');
    expect(devicePreferenceFrom('?device=cuda')).toBe('auto');
    expect(devicePreferenceFrom('')).toBe('auto');
  });

  it('takes runtime tuning from the address only on bench pages', () => {
    expect(tuningFrom('?threads=2&spin=0')).toEqual({});
    expect(tuningFrom('?bench&threads=2&spin=0')).toEqual({ threads: 2, spinning: false });
    expect(tuningFrom('?bench&threads=3&spin=yes&ort=asyncify')).toEqual({ wasmRuntime: 'asyncify' });
    expect({ ...DEFAULT_TUNING, ...tuningFrom('?bench&spin=1') }.spinning).toBe(true);
  });
});
