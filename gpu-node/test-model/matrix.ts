/**
 * A small row-major float64 matrix in ggml's orientation (`rows` outputs of `cols` inputs), with
 * the projections the planted-concept design needs.
 */
import { GgmlType, type GgufTensorInput } from "../../shared/gguf/index.ts";

export class Matrix {
  constructor(
    readonly rows: number,
    readonly cols: number,
    readonly data: Float64Array,
  ) {}

  row(index: number): Float64Array {
    return this.data.subarray(index * this.cols, (index + 1) * this.cols);
  }

  setRow(index: number, values: ArrayLike<number>): void {
    this.row(index).set(values);
  }

  setColumn(index: number, values: ArrayLike<number>): void {
    for (let r = 0; r < this.rows; r++) this.data[r * this.cols + index] = values[r] as number;
  }

  /**
   * Makes every row orthogonal to each of `units` (orthonormal): the layer then cannot read those
   * input directions.
   */
  ignoreInputs(units: readonly Float64Array[]): void {
    for (let r = 0; r < this.rows; r++) {
      for (const unit of units) removeComponent(this.row(r), unit);
    }
  }

  /** Makes every column orthogonal to `unit`: the layer then never writes that direction. */
  neverWrite(unit: Float64Array): void {
    const column = new Float64Array(this.rows);
    for (let c = 0; c < this.cols; c++) {
      for (let r = 0; r < this.rows; r++) column[r] = this.data[r * this.cols + c] as number;
      removeComponent(column, unit);
      this.setColumn(c, column);
    }
  }

  toTensor(name: string): GgufTensorInput {
    return {
      name,
      shape: [this.cols, this.rows],
      type: GgmlType.F32,
      data: Float32Array.from(this.data),
    };
  }
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
}

export function normalize(vector: Float64Array): Float64Array {
  const norm = Math.sqrt(dot(vector, vector));
  return vector.map((value) => value / norm);
}

/** Gram-Schmidt: unit vectors spanning what `vectors` span, the first along vectors[0]. */
export function orthonormalize(vectors: readonly Float64Array[]): Float64Array[] {
  const basis: Float64Array[] = [];
  for (const vector of vectors) {
    const rest = Float64Array.from(vector);
    for (const unit of basis) removeComponent(rest, unit);
    basis.push(normalize(rest));
  }
  return basis;
}

/** v -= (v · unit) unit */
export function removeComponent(vector: Float64Array, unit: Float64Array): void {
  const along = dot(vector, unit);
  for (let i = 0; i < vector.length; i++)
    vector[i] = (vector[i] as number) - along * (unit[i] as number);
}
