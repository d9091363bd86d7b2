// Isomorphic entry point (safe to import in the browser worker).
export * from './types';
export { IntentModel } from './model';
export { parseModelCard, fetchModelCard, modelVersion, ModelCardError } from './card';
export { SimilarIndex, parseSimilarIndex, fetchSimilarIndex } from './similar';
export { wordSpans, preTokenSpans, alignTokens } from './spans';
export { argmax, softmax, accuracy, macroF1, expectedCalibrationError } from './metrics';
