/** SoReach segments (issue 4): rule trees compiled to parameterised SQL, live counts, static lists. */
export {
  type ActivityCondition,
  type AttributeCondition,
  type Condition,
  type ConsentCondition,
  type FieldCondition,
  type MembershipCondition,
  type SegmentDefinition,
  SegmentDefinitionSchema,
  type SegmentRule,
  type TagCondition,
} from './definition.ts';
export { type CompileContext, compileDefinition, type ResolvedSegment } from './compile.ts';
export { applySegmentQuerySettings, countSegment, estimateWhere, type PreparedSegment, prepareSegment, type SegmentIdsQuery, segmentContactsQuery, type SegmentSource } from './query.ts';
export { type Catalogue, loadCatalogue, segmentsUsingAttribute } from './repo.ts';
export { segmentRoutes } from './routes.ts';
export { type ContactPreview, type CountResult, SegmentsService, type SegmentView } from './service.ts';
export { type SegmentTables, segmentsTx, type STx } from './db.ts';
