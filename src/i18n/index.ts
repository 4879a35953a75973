export { catalogue, type MessageCode } from "./catalogue";
export { DEFAULT_LANGUAGE, type Language, negotiateLanguage } from "./language";
export { codeOfEnglish, type MessageParams, translate, translateEnglish } from "./translate";
export { type FieldProblem, fieldProblems, issueMessage } from "./validation";
