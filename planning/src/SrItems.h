#pragma once
// Internal: the content items of drgplan's structured reports (the plan's SR, the verification's),
// concepts in drgplan's private scheme "99DRGPLAN" unless given.

#include "drg/imaging/DicomDocumentWriter.h"

#include <Eigen/Core>

#include <string>
#include <utility>
#include <vector>

namespace drg::planning::sr
{

inline imaging::DicomCode code(std::string value, std::string meaning)
{
  return imaging::DicomCode{ std::move(value), "99DRGPLAN", std::move(meaning) };
}

inline imaging::SrItem text(imaging::DicomCode concept, std::string text)
{
  imaging::SrItem i;
  i.kind = imaging::SrItem::Kind::Text;
  i.concept = std::move(concept);
  i.text = std::move(text);
  return i;
}

inline imaging::SrItem points(imaging::SrItem::Kind kind, imaging::DicomCode concept,
                              std::vector<Eigen::Vector3d> points)
{
  imaging::SrItem i;
  i.kind = kind;
  i.concept = std::move(concept);
  i.points = std::move(points);
  return i;
}

inline imaging::SrItem number(imaging::DicomCode concept, double value, const char* unit,
                              const char* unitMeaning)
{
  imaging::SrItem i;
  i.kind = imaging::SrItem::Kind::Number;
  i.concept = std::move(concept);
  i.value = value;
  i.unit = unit;
  i.unitMeaning = unitMeaning;
  return i;
}

} // namespace drg::planning::sr
