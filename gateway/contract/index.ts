export * from './errors.js';
export * from './declarative.js';
export * from './views.js';
export * from './methods.js';
export * from './events.js';
