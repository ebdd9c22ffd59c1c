/** The data layer's public surface: readers, catalog, fetching, loading, splits and scaling. */
export * from './types';
export { readTable, detectFormat, formatFromName, type ReadOptions } from './read-table';
export { readDelimited, parseDelimited, EXTREME_VALUE, type DelimitedOptions } from './delimited';
export { readIdx, readIdxPair, readMnistDir, parseIdx, encodeIdx, findMnistFiles, MNIST_FILES } from './idx';
export { readLibsvm, parseLibsvm, type LibsvmOptions } from './libsvm';
export { readDataBytes, isGzip } from './read-file';
export { sortLabels, unionLabels, classCounts, checkClassLabels, MANY_NUMERIC_CLASSES } from './labels';
export {
  CATALOG,
  CATALOG_NAMES,
  catalogEntry,
  cacheDir,
  isCatalogName,
  locateCatalog,
  searchDirs,
  type CatalogEntry,
  type CatalogName,
} from './catalog';
export { fetchDataset, downloadFile, type FetchOptions } from './fetch';
export { loadDataset, specFromRef, DEFAULT_TEST_FRACTION, type LoadOptions } from './load';
export {
  splitIndices,
  subsample,
  takeRows,
  testRowCount,
  validationIndices,
  withValidation,
  checkValFraction,
  valSeed,
  DEFAULT_VAL_FRACTION,
} from './split';
export { fitScaling, applyScaling } from './scaling';
export { selectColumns } from './columns';
export { hashFile, hashDataPath, isContentHash, sha256OfFile, type ContentHash } from './content-hash';
export { portableSpec, portableRef, resolveSpec, rebaseSpec, moveSpec, dataIdentity, relativePath, type ResolveOptions } from './portable';
