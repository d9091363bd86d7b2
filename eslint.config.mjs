import nextCoreWebVitals from 'eslint-config-next/core-web-vitals';
import nextTypescript from 'eslint-config-next/typescript';

export default [
  ...nextCoreWebVitals,
  ...nextTypescript,
  {
    ignores: ['.next/**', 'node_modules/**', 'lib/generated/**', 'public/**', 'test-results/**', 'playwright-report/**', 'training/.work/**', 'next-env.d.ts'],
  },
];
