// wrangler bundles *.txt files as text modules (its default rule): importing one gives its text.
declare module "*.txt" {
  const text: string;
  export default text;
}
