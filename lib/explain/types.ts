// The explainers' types in one place to import from: the shared interface (./explainer) and
// the types derived from the list of explainers (./methods).
export type { ExplainInput, ExplainerDescriptor, ExplainerNeed, ExplainerView, ExplanationOf, Faithfulness, FitContext, FitFacts, FitOutcome, AnyExplainer } from './explainer';
export type { Explanation, ExplanationMethod, ExplanationOfMethod, ExplanationWithView, WordScoringMethod } from './methods';
export { WORD_SCORING_METHODS } from './methods';
