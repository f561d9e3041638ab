declare module "*.svg" {
  const svg: string;
  export default svg;
}
declare const __WIDGET_CSS__: string;
