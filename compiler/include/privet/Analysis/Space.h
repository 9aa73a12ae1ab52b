//===- Space.h - The request space under the analyses' names --------------------*- C++ -*-===//
//
// The analyses work in the request space of privet/Space/RequestSpace.h; this brings its types
// into privet::analysis so the findings code reads as set algebra over one space.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_ANALYSIS_SPACE_H
#define PRIVET_ANALYSIS_SPACE_H

#include "privet/Space/RequestSpace.h"

namespace privet::analysis {

using space::AttrDomain;
using space::DimDomain;
using space::formatNumber;
using space::Mdd;
using space::PolicyView;
using space::RequestSpace;

} // namespace privet::analysis

#endif // PRIVET_ANALYSIS_SPACE_H
