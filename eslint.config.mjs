import nextCoreWebVitals from 'eslint-config-next/core-web-vitals';
import nextTypescript from 'eslint-config-next/typescript';

const config = [
  ...nextCoreWebVitals,
  ...nextTypescript,
  {
    ignores: ['.next/**', '.cache/**', 'node_modules/**', 'lib/generated/**', 'public/**', 'test-results/**', 'playwright-report/**', 'training/.work/**', 'next-env.d.ts'],
  },
];

export default config;
