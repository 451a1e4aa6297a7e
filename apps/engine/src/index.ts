export { createEngineApp } from './engine.app';
