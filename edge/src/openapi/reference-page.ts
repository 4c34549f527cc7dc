// The API reference as one server-rendered page, from the OpenAPI document itself (so the two always
// agree): operations grouped by tag with their parameters, bodies and answers, then the schemas.
// Self-contained, no scripts or external assets: it works offline.
import { html, raw } from "hono/html";
import type { OpenApiDocument, OpenApiOperation, OpenApiParameter } from "./document.ts";

type Schema = Record<string, unknown>;
type Content = Record<string, { schema: Schema }>;

interface Listed extends OpenApiOperation {
  method: string;
  path: string;
}

const STYLE = `
body { font: 15px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
code, pre { font: 13px/1.4 ui-monospace, monospace; }
pre { background: #f5f5f5; padding: .75rem; overflow-x: auto; }
section.operation { border-top: 1px solid #ddd; padding-top: .5rem; }
.method { display: inline-block; min-width: 4rem; font-weight: bold; text-transform: uppercase; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { border: 1px solid #ddd; padding: .25rem .5rem; text-align: left; vertical-align: top; }
`;

export function referencePage(document: OpenApiDocument) {
  const operations = listOperations(document);
  return html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${document.info.title} reference</title><style>${raw(STYLE)}</style></head>
<body>
<h1>${document.info.title} <small>${document.info.version}</small></h1>
<p>${document.info.description}</p>
<p>Send an API key as <code>Authorization: Bearer &lt;key&gt;</code>, except where an operation
says it needs none or needs the operator token instead. The machine-readable document:
<a href="/openapi.json">/openapi.json</a>.</p>
<nav><ul>${document.tags.map(
    (tag) => html`<li><a href="#tag-${tag.name}">${tag.description}</a></li>`,
  )}</ul></nav>
${document.tags.map(
  (tag) => html`<h2 id="tag-${tag.name}">${tag.description}</h2>
${operations.filter((operation) => operation.tags.includes(tag.name)).map(operationSection)}`,
)}
<h2 id="schemas">Schemas</h2>
${Object.entries(document.components.schemas).map(
  ([name, schema]) => html`<h3 id="schema-${name}">${name}</h3>
<pre>${JSON.stringify(schema, null, 2)}</pre>`,
)}
</body>
</html>`;
}

function listOperations(document: OpenApiDocument): Listed[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ ...operation, method, path })),
  );
}

function operationSection(operation: Listed) {
  return html`<section class="operation" id="${operation.operationId}">
<h3><span class="method">${operation.method}</span> <code>${operation.path}</code></h3>
<p>${operation.summary}${credentialNote(operation)}</p>
${operation.parameters.length > 0 ? parameterTable(operation.parameters) : ""}
${operation.requestBody ? html`<p>Body: ${contentList(operation.requestBody.content)}</p>` : ""}
<table><tr><th>Answer</th><th>Meaning</th><th>Body</th></tr>
${Object.entries(operation.responses).map(
  ([status, response]) =>
    html`<tr><td>${status}</td><td>${response.description}</td><td>${response.content ? contentList(response.content) : ""}</td></tr>`,
)}
</table>
</section>`;
}

/** What an operation needs in place of an API key, if anything else. */
function credentialNote(operation: Listed): string {
  if (!operation.security) return "";
  if (operation.security.some((requirement) => requirement.operator)) {
    return " (the operator token, not an API key)";
  }
  return " (no API key needed)";
}

function parameterTable(parameters: OpenApiParameter[]) {
  return html`<table><tr><th>Parameter</th><th>In</th><th>Required</th><th>Schema</th></tr>
${parameters.map(
  (parameter) =>
    html`<tr><td><code>${parameter.name}</code></td><td>${parameter.in}</td><td>${parameter.required ? "yes" : "no"}</td><td><code>${JSON.stringify(parameter.schema)}</code></td></tr>`,
)}
</table>`;
}

/** "application/json: CreateKey" for each media type, linking named schemas to their section. */
function contentList(content: Content) {
  return Object.entries(content).map(([mediaType, { schema }]) => {
    const name = typeof schema.$ref === "string" ? schema.$ref.split("/").pop() : undefined;
    const shape = name
      ? html`<a href="#schema-${name}">${name}</a>`
      : html`<code>${JSON.stringify(schema)}</code>`;
    return html`<div><code>${mediaType}</code>: ${shape}</div>`;
  });
}
