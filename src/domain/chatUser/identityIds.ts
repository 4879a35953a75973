import { v5 as uuidv5 } from "uuid";

// Fixed namespaces: a chat user's id is derived from its identity, so "stream must not exist" makes it unique.
const BROWSER_NAMESPACE = "0d6f7a52-6c1e-4a8e-9a57-3f4f5b2c9a01";
const OSS_NAMESPACE = "7b1c2f0e-5d3a-4f6b-8e21-9c4d2a7e6b02";

export const chatUserIdForBrowser = (browserUuid: string) =>
  uuidv5(browserUuid.toLowerCase(), BROWSER_NAMESPACE);
export const chatUserIdForOssUser = (ossUserId: string) => uuidv5(ossUserId, OSS_NAMESPACE);

/** An identity stream's events share one bus key, whoever claims it, so they stay in order. */
export const identityOwner = (ossUserId: string) => chatUserIdForOssUser(ossUserId);
