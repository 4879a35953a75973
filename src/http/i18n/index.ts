export { catalogue, type MessageCode } from "./catalogue";
export { DEFAULT_LANGUAGE, type Language, negotiateLanguage } from "./language";
export { codeOfEnglish, type MessageParams, translate } from "./translate";
export { type FieldProblem, fieldProblems, issueMessage } from "./validation";
