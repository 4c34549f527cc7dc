// A GGUF model loaded once per process (memory-mapped by llama.cpp), with what the engine and its
// users need to know about it: shape, vocabulary, chat template.
import { access } from "node:fs/promises";
import { resolve } from "node:path";
import type { ChatMessage } from "../../shared/openai/chat.ts";
import { ChatTemplate } from "./chat-template.ts";
import { EngineError } from "./errors.ts";
import { type NativeModel, type NativeModelInfo, native } from "./native.ts";
import { detokenize } from "./token-text.ts";

export interface SpecialToken {
  id: number;
  text: string;
}

/** The model's shape and vocabulary as llama.cpp reports them, plus its name and special tokens. */
export type ModelMetadata = Omit<NativeModelInfo, "bosToken" | "eosToken" | "metadata"> & {
  /** general.architecture, e.g. "llama". */
  architecture: string;
  name: string | null;
  specialTokens: { bos: SpecialToken; eos: SpecialToken };
};

export interface LoadModelOptions {
  /** Layers to offload to the GPU; -1 for all (the default when a GPU backend is loaded). */
  gpuLayers?: number;
}

const loaded = new Map<string, Promise<Model>>();

export class Model {
  readonly metadata: ModelMetadata;
  private readonly chatTemplate: ChatTemplate | null;

  private constructor(
    readonly native: NativeModel,
    readonly path: string,
  ) {
    const { bosToken, eosToken, metadata, ...shape } = native.info();
    const special = (id: number) => ({ id, text: detokenize(native, [id], true) });
    this.metadata = {
      ...shape,
      architecture: metadata["general.architecture"] ?? "unknown",
      name: metadata["general.name"] ?? null,
      specialTokens: { bos: special(bosToken), eos: special(eosToken) },
    };
    this.chatTemplate = shape.chatTemplate
      ? new ChatTemplate(shape.chatTemplate, {
          bos: this.metadata.specialTokens.bos.text,
          eos: this.metadata.specialTokens.eos.text,
        })
      : null;
  }

  /**
   * Loads a GGUF file, once per process: engines asking for the same file (and offload) share
   * the weights. A failed load is forgotten, so a fixed file can be tried again.
   */
  static load(path: string, options: LoadModelOptions = {}): Promise<Model> {
    const hasGpu = native().devices.some((d) => d.type === "gpu");
    const gpuLayers = options.gpuLayers ?? (hasGpu ? -1 : 0);
    const key = `${resolve(path)}|${gpuLayers}`;
    let loading = loaded.get(key);
    if (!loading) {
      loading = Model.loadFile(path, gpuLayers);
      loaded.set(key, loading);
      loading.catch(() => loaded.delete(key));
    }
    return loading;
  }

  private static async loadFile(path: string, gpuLayers: number): Promise<Model> {
    try {
      await access(path);
    } catch {
      throw new EngineError("model_not_found", `model file not found: ${path}`, "model");
    }
    try {
      return new Model(await native().addon.Model.load(path, { gpuLayers }), path);
    } catch (error) {
      throw new EngineError("model_invalid", (error as Error).message, "model");
    }
  }

  /** Raw text to tokens: BOS when the model asks for it, special tokens like `<|eot_id|>` parsed. */
  tokenize(text: string, options: { addBos?: boolean } = {}): number[] {
    return Array.from(this.native.tokenize(text, options.addBos ?? this.metadata.addBos, true));
  }

  detokenize(tokens: Iterable<number>, options: { special?: boolean } = {}): string {
    return detokenize(this.native, tokens, options.special);
  }

  /** OpenAI-style messages to the prompt text, through the model's own template. */
  applyChatTemplate(messages: readonly ChatMessage[]): string {
    if (!this.chatTemplate) {
      throw new EngineError("invalid_request", "this model has no chat template", "messages");
    }
    return this.chatTemplate.render(messages);
  }

  /** Chat messages to prompt tokens. The template writes BOS itself. */
  tokenizeChat(messages: readonly ChatMessage[]): number[] {
    return this.tokenize(this.applyChatTemplate(messages), { addBos: false });
  }
}
