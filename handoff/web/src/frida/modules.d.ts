// The little the page uses of React 17 and of Nav's widget (their published types do not
// cover these imports: the widget's declare only "src/…" modules, and would retype every
// "*.svg" import of the project as any; React 17 ships none).
declare module "@navikt/nav-chatbot/umd/nav-chatbot.min.js" {
  interface ChatbotProperties {
    boostApiUrlBase?: string;
    actionFilters?: string[];
    analyticsCallback?: (key: string, data: Record<string, unknown>) => void;
  }
  const Chatbot: (properties: ChatbotProperties) => unknown;
  export default Chatbot;
}

declare module "react" {
  export function createElement(type: unknown, properties?: Record<string, unknown> | null): unknown;
}

declare module "react-dom" {
  export function render(element: unknown, container: Element): void;
}
