// Public API of the lsyncd-ts package (config helpers and types for TypeScript configs).
export {};
