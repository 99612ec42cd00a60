/** Keelson's version, injected at build time; 'dev' when run from sources (tests). */
declare const __KEELSON_VERSION__: string | undefined;
export const KEELSON_VERSION: string =
  typeof __KEELSON_VERSION__ === 'string' ? __KEELSON_VERSION__ : '0.1.0-dev';
