export { createLogger, reconcileLogger, type Logger, type LoggerOptions } from './logger.js';
export { SECRET_KEYS, REDACTED, redactPaths } from './redaction.js';
export { createMetrics, type OperatorMetrics, type MetricsOptions } from './metrics.js';
export { awsCallMetricsMiddleware, awsCallMetricsPlugin, instrumentAwsClient, AWS_METRICS_MIDDLEWARE } from './aws-middleware.js';
export { Health, type ElectionState, type LivenessCheck, type ProbeResult } from './health.js';
export { startHttpServer, type HttpServerOptions, type RunningHttpServer } from './http-server.js';
