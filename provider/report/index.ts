export * from './posture';
export * from './postureBuilder';
export * from './expiryWindow';
export * from './prometheusText';
export * from './reportJson';
export { renderHtml, CONTENT_SECURITY_POLICY } from './html/renderHtml';
export { escapeHtml } from './html/escapeHtml';
