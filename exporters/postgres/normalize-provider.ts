/**
 * Canonical provider names. One vendor gets one name whichever convention reported it, so that
 * usage rolls up per provider and price-book entries match: OTel says gcp.gemini, the Vercel AI
 * SDK google.generative-ai, OpenInference google. Cloud resellers whose prices differ from the
 * vendor's own API (aws.bedrock, azure.openai) keep their own name.
 */
const ALIASES: ReadonlyMap<string, string> = new Map(
  Object.entries({
    openai: 'openai',
    anthropic: 'anthropic',
    // Google: Gemini API and Vertex AI under every spelling in use.
    google: 'google',
    gemini: 'google',
    'gcp.gemini': 'google',
    'gcp.vertex_ai': 'google',
    'gcp.gen_ai': 'google',
    'google.generative-ai': 'google',
    'google.vertex': 'google',
    vertex: 'google',
    vertex_ai: 'google',
    vertexai: 'google',
    // Azure OpenAI: OTel's current and earlier names, the AI SDK's "azure.chat", OpenInference "azure".
    'azure.ai.openai': 'azure.openai',
    'az.ai.openai': 'azure.openai',
    'azure.openai': 'azure.openai',
    azure: 'azure.openai',
    'azure-openai': 'azure.openai',
    azure_openai: 'azure.openai',
    'azure.ai.inference': 'azure.ai.inference',
    'az.ai.inference': 'azure.ai.inference',
    // AWS Bedrock: OTel, the AI SDK ("amazon-bedrock"), OpenInference ("aws").
    'aws.bedrock': 'aws.bedrock',
    bedrock: 'aws.bedrock',
    'amazon-bedrock': 'aws.bedrock',
    aws: 'aws.bedrock',
    // Vendors whose OTel names carry a suffix the others do not.
    mistral: 'mistral',
    mistralai: 'mistral',
    mistral_ai: 'mistral',
    xai: 'xai',
    x_ai: 'xai',
    deepseek: 'deepseek',
    cohere: 'cohere',
    groq: 'groq',
    perplexity: 'perplexity',
    'ibm.watsonx.ai': 'ibm.watsonx.ai',
    togetherai: 'together',
    together: 'together',
    fireworks: 'fireworks',
    ollama: 'ollama',
    openrouter: 'openrouter',
  }),
);

/**
 * Normalises a provider name: lowercased, known aliases mapped (see ALIASES), and the AI SDK's
 * "<provider>.<api>" ids ("openai.chat", "anthropic.messages", "mistral.chat") reduced to the
 * provider when that prefix is a known one. Unknown names are kept lowercased.
 */
export function normalizeProvider(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  const name = raw.trim().toLowerCase();
  if (name.length === 0) return null;
  // A Map, not an object: a provider named "constructor" must not hit Object.prototype.
  const direct = ALIASES.get(name);
  if (direct !== undefined) return direct;
  // Longest known dotted prefix first: "google.vertex.chat" is google.vertex, not google.
  let dot = name.lastIndexOf('.');
  while (dot > 0) {
    const prefix = ALIASES.get(name.slice(0, dot));
    if (prefix !== undefined) return prefix;
    dot = name.lastIndexOf('.', dot - 1);
  }
  return name;
}
