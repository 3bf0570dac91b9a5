import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules', '.next', 'data', 'dist', 'server/db/generated', 'server/db/generated-postgresql', 'test-results', 'playwright-report', 'next-env.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'max-lines': ['error', { max: 300, skipBlankLines: true, skipComments: true }],
      'no-console': 'error',
    },
  },
  { files: ['**/*.mjs', '**/*.js'], ...tseslint.configs.disableTypeChecked },
  { files: ['scripts/**/*.mjs'], languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', globalThis: 'readonly' } }, rules: { 'no-console': 'off' } },
  {
    files: ['components/**/*.tsx', 'components/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    // The browser and pages reach the server only through HTTP and sockets.
    files: ['app/**', 'components/**', 'lib/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@/server/*', '**/server/*'], message: 'Pages and components talk to the server over HTTP and sockets; import only lib/.', allowTypeImports: true }] },
      ],
    },
  },
  {
    // Pure computation: no I/O, no frameworks, no wall clock.
    files: ['server/stream/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['node:*', 'ws', 'socket.io', 'next', 'react', '@prisma/*', '../db/*', '../realtime/*', '../feed/*'] }],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'Time is passed in.' }],
    },
  },
);
