// A condition's calibration on a GPU node: synchronous, on a node of the model's base model; the direction
// it stored is then copied into R2, where every vector lives, so that any node can read it.
import {
  type Calibration,
  type CalibrationRequest,
  calibrateConditionRoute,
  calibrationSchema,
} from "../../../shared/node-api/conditions.ts";
import { type FieldOf, type NodePool, readReply } from "./pool.ts";
import { storeVector } from "./vectors.ts";

/** The calibration of a node of `baseModel`, its vector in R2 (the hash is the node's id, checked). */
export async function calibrateOnNode(
  pool: NodePool,
  bucket: R2Bucket,
  request: CalibrationRequest,
  baseModel: string,
  fieldOf?: FieldOf,
): Promise<Calibration> {
  const routing = { model: baseModel };
  const { node, response } = await pool.call(calibrateConditionRoute, { json: request }, routing);
  const calibration = await readReply(response, calibrationSchema, fieldOf);
  await storeVector(pool, bucket, node, calibration.vector);
  return calibration;
}
