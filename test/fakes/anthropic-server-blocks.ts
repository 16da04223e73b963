/**
 * Response content of server tools for the fake Messages API, shaped like the examples in the
 * web search, web fetch and code execution tool documentation: a `server_tool_use` block, its
 * result block (`web_search_tool_result` with `web_search_result` entries, `web_fetch_tool_result`
 * with a `web_fetch_result` document, `bash_code_execution_tool_result`), and text blocks whose
 * `citations` point at them (`web_search_result_location`, `char_location`).
 */
type Json = Record<string, unknown>;

let seq = 0;
const srvId = () => `srvtoolu_01${String(++seq).padStart(22, "0")}`;

export function webSearchCall(query: string, results: { url: string; title: string }[]): Json[] {
  const id = srvId();
  return [
    { type: "server_tool_use", id, name: "web_search", input: { query } },
    {
      type: "web_search_tool_result",
      tool_use_id: id,
      content: results.map((r) => ({
        type: "web_search_result",
        url: r.url,
        title: r.title,
        encrypted_content: "EqgfCioIARgBIiQ3YTAwMjY1Mi1mZjM5",
        page_age: "April 30, 2025",
      })),
    },
  ];
}

export function searchCitedText(text: string, source: { url: string; title: string }, citedText: string): Json {
  return {
    type: "text",
    text,
    citations: [
      { type: "web_search_result_location", url: source.url, title: source.title, encrypted_index: "Eo8BCioIAhgBIiQyYjQ0OWJmZi1lNm", cited_text: citedText },
    ],
  };
}

export function webFetchCall(url: string, title: string, body: string): Json[] {
  const id = srvId();
  return [
    { type: "server_tool_use", id, name: "web_fetch", input: { url } },
    {
      type: "web_fetch_tool_result",
      tool_use_id: id,
      content: {
        type: "web_fetch_result",
        url,
        content: { type: "document", source: { type: "text", media_type: "text/plain", data: body }, title, citations: { enabled: true } },
        retrieved_at: "2025-08-25T10:30:00Z",
      },
    },
  ];
}

export function fetchCitedText(text: string, documentTitle: string, citedText: string): Json {
  return {
    type: "text",
    text,
    citations: [
      { type: "char_location", document_index: 0, document_title: documentTitle, start_char_index: 0, end_char_index: citedText.length, cited_text: citedText },
    ],
  };
}

/**
 * Version 20250825 runs shell commands (and edits files) in its container: bash_code_execution
 * blocks. Files the command left are reported by id in `bash_code_execution_output` blocks.
 */
export function bashExecutionCall(command: string, stdout: string, fileIds: string[] = []): Json[] {
  const id = srvId();
  return [
    { type: "server_tool_use", id, name: "bash_code_execution", input: { command } },
    {
      type: "bash_code_execution_tool_result",
      tool_use_id: id,
      content: {
        type: "bash_code_execution_result",
        stdout,
        stderr: "",
        return_code: 0,
        content: fileIds.map((file_id) => ({ type: "bash_code_execution_output", file_id })),
      },
    },
  ];
}
