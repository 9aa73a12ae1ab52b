//===- DataMap.cpp - Data -> purposes -> recipients -> regions, laid out by Graphviz ---===//
//
// Each allowing rule adds edges from the categories it names to its purposes, from the purposes
// to its recipients and from those to where they are (or to the regions the rule names). Nodes
// deeper than the requested depth are folded into their ancestor along the first parent; when the
// map still has more nodes than the limit, one more level is folded, down to the roots, so the
// layout stays bounded whatever the policy's size (docs/report.md).
//
//===----------------------------------------------------------------------------------------===//
#include "ModelImpl.h"

#include "privet/Report/Writers.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <map>

namespace privet::report {
namespace detail {

namespace {

struct MapBuilder {
  const Context &C;
  unsigned Depth;
  DataMap Map;
  llvm::StringMap<uint32_t> NodeIndex;
  std::map<std::pair<uint32_t, uint32_t>, uint32_t> EdgeIndex;

  uint32_t node(MapNode::Kind K, Dimension D, std::optional<NodeId> N) {
    static constexpr const char *Prefix[] = {
        "data:", "purpose:", "recipient:", "region:", "actor:"};
    const Vocabulary &V = C.P.vocab(D);
    std::optional<NodeId> F;
    if (N)
      F = C.fold(D, *N, Depth);
    std::string Id = std::string(Prefix[K]) + (F ? V.Nodes[*F].Name : "*");
    auto [It, Inserted] = NodeIndex.try_emplace(Id, Map.Nodes.size());
    if (Inserted) {
      MapNode M;
      M.Id = Id;
      M.K = K;
      static constexpr const char *Any[] = {"Any data category", "Any purpose", "Any recipient",
                                            "Anywhere", "Any actor"};
      M.Label = F ? nodeLabel(V.Nodes[*F]) : Any[K];
      if (F && K == MapNode::Data)
        M.Special = C.isSpecialData(*F);
      if (F && K == MapNode::Region)
        M.ThirdCountry = C.isThirdCountry(*F);
      Map.Nodes.push_back(std::move(M));
    }
    return It->second;
  }

  void edge(uint32_t From, uint32_t To, uint32_t Rule) {
    auto [It, Inserted] = EdgeIndex.try_emplace({From, To}, Map.Edges.size());
    if (Inserted) {
      MapEdge E;
      E.From = From;
      E.To = To;
      E.ThirdCountry = Map.Nodes[To].ThirdCountry;
      Map.Edges.push_back(E);
    }
    MapEdge &E = Map.Edges[It->second];
    if (E.Rules.empty() || E.Rules.back() != Rule)
      E.Rules.push_back(Rule);
  }

  static std::vector<std::optional<NodeId>> written(const Scope &S, Dimension D) {
    std::vector<std::optional<NodeId>> Out;
    for (auto [N, Negated] : S.Written[unsigned(D)])
      if (!Negated)
        Out.push_back(N);
    if (Out.empty() && !S.dim(D))
      Out.push_back(std::nullopt);
    return Out;
  }

  void addRule(uint32_t I) {
    const Scope &S = *C.Effective[I];
    std::vector<uint32_t> Purposes;
    for (auto P : written(S, Dimension::Purpose))
      Purposes.push_back(node(MapNode::Purpose, Dimension::Purpose, P));
    for (auto D : written(S, Dimension::Data)) {
      uint32_t DataNode = node(MapNode::Data, Dimension::Data, D);
      for (uint32_t P : Purposes)
        edge(DataNode, P, I);
    }
    const Vocabulary &Recipients = C.P.vocab(Dimension::Recipient);
    std::vector<NodeId> Named;
    for (auto [N, Negated] : S.Written[unsigned(Dimension::Region)])
      if (!Negated)
        Named.push_back(N);
    for (auto [N, Negated] : S.Written[unsigned(Dimension::Recipient)]) {
      if (Negated)
        continue;
      uint32_t To = node(MapNode::Recipient, Dimension::Recipient, N);
      for (uint32_t P : Purposes)
        edge(P, To, I);
      std::vector<NodeId> Where = Named;
      if (Where.empty())
        for (NodeId A : Context::ancestors(Recipients, N))
          if (Recipients.Nodes[A].LocatedIn) {
            Where.push_back(*Recipients.Nodes[A].LocatedIn);
            break;
          }
      for (NodeId G : Where)
        edge(To, node(MapNode::Region, Dimension::Region, G), I);
    }
    // Who performs it, when that is not the controller itself: an edge from each purpose.
    bool AnyActor = false;
    for (NodeId A : C.actorsOf(I, AnyActor))
      if (!C.Us || A != *C.Us)
        for (uint32_t P : Purposes)
          edge(P, node(MapNode::Actor, Dimension::Actor, A), I);
    // A region named without a recipient: processing (storage) happens there.
    if (S.Written[unsigned(Dimension::Recipient)].empty())
      for (NodeId G : Named)
        for (uint32_t P : Purposes)
          edge(P, node(MapNode::Region, Dimension::Region, G), I);
  }
};

DataMap buildAt(const Context &C, unsigned Depth) {
  MapBuilder B{C, Depth, {}, {}, {}};
  for (uint32_t I = 0; I < C.P.Rules.size(); ++I)
    if (C.P.Rules[I].IsAllow)
      B.addRule(I);
  B.Map.Depth = Depth;
  return std::move(B.Map);
}

} // namespace

DataMap buildDataMap(const Context &C, const std::vector<Activity> &Activities) {
  unsigned Requested = std::max(1u, C.Opts.Depth);
  DataMap Map = buildAt(C, Requested);
  unsigned Unfolded = Map.Nodes.size();
  while (Map.Nodes.size() > C.Opts.MaxMapNodes && Map.Depth > 1)
    Map = buildAt(C, Map.Depth - 1);
  Map.RequestedDepth = Requested;
  Map.NodeLimit = C.Opts.MaxMapNodes;
  Map.UnfoldedNodes = Unfolded;
  Map.AutoFolded = Map.Depth < Requested;
  llvm::StringMap<std::string> Anchors;
  for (const Activity &A : Activities)
    Anchors["purpose:" + A.Key] = A.Anchor;
  for (MapNode &N : Map.Nodes) {
    auto It = Anchors.find(N.Id);
    if (It != Anchors.end())
      N.Link = It->second;
  }
  return Map;
}

} // namespace detail

namespace {

/// A DOT double-quoted string: quotes and backslashes escaped (a backslash would otherwise start
/// an escape such as \N), newlines kept out.
std::string dotQuote(llvm::StringRef S) {
  std::string Out = "\"";
  for (char Ch : S) {
    if (Ch == '"' || Ch == '\\')
      Out += '\\';
    if (Ch == '\n' || Ch == '\r')
      Ch = ' ';
    Out += Ch;
  }
  return Out + "\"";
}

llvm::Error error(const llvm::Twine &Message) {
  return llvm::make_error<llvm::StringError>(Message, llvm::inconvertibleErrorCode());
}

} // namespace

std::string renderDot(const Report &R) {
  std::string Out;
  llvm::raw_string_ostream OS(Out);
  OS << "digraph datamap {\n"
     << "  rankdir=LR;\n  ranksep=1.1;\n  nodesep=0.15;\n"
     << "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=10, "
        "color=\"#37474f\", fontcolor=\"#111111\"];\n"
     << "  edge [color=\"#607d8b\", arrowsize=0.6];\n";
  static constexpr const char *Fill[] = {"#e3f2fd", "#e8f5e9", "#fff8e1", "#f3e5f5", "#eceff1"};
  for (size_t I = 0; I < R.Map.Nodes.size(); ++I) {
    const MapNode &N = R.Map.Nodes[I];
    // dotQuote keeps newlines out of the text; the markers use DOT's own line break.
    std::string Label = dotQuote(N.Label);
    Label.pop_back();
    if (N.Special)
      Label += "\\n[special category]";
    if (N.ThirdCountry)
      Label += "\\n[outside the EEA]";
    Label += '"';
    OS << "  " << dotQuote(N.Id) << " [id=" << dotQuote("map-node-" + std::to_string(I))
       << ", label=" << Label;
    OS << ", fillcolor=\""
       << (N.Special        ? "#fde2e1"
           : N.ThirdCountry ? "#fde2e1"
                            : Fill[N.K])
       << "\"";
    if (N.Special || N.ThirdCountry)
      OS << ", color=\"#b3261e\", penwidth=2";
    if (N.ThirdCountry)
      OS << ", style=\"rounded,filled,dashed\"";
    if (N.K == MapNode::Actor)
      OS << ", shape=hexagon, style=filled";
    if (!N.Link.empty())
      OS << ", URL=" << dotQuote("#" + N.Link) << ", tooltip=" << dotQuote(N.Label);
    OS << "];\n";
  }
  for (const MapEdge &E : R.Map.Edges) {
    OS << "  " << dotQuote(R.Map.Nodes[E.From].Id) << " -> " << dotQuote(R.Map.Nodes[E.To].Id);
    if (E.ThirdCountry)
      OS << " [color=\"#b3261e\", penwidth=2, style=dashed]";
    OS << ";\n";
  }
  OS << "}\n";
  return OS.str();
}

llvm::Expected<std::string> layoutSvg(llvm::StringRef Dot, unsigned TimeoutSeconds) {
  llvm::ErrorOr<std::string> DotPath = llvm::sys::findProgramByName("dot");
  if (!DotPath)
    return error("Graphviz `dot` was not found on PATH: install the Debian package `graphviz`");
  llvm::SmallString<128> In, Out, Err;
  for (auto [Path, Suffix] : {std::pair{&In, "dot"}, {&Out, "svg"}, {&Err, "txt"}})
    if (std::error_code EC = llvm::sys::fs::createTemporaryFile("privet-map", Suffix, *Path))
      return error("cannot create a temporary file: " + EC.message());
  auto Cleanup = llvm::make_scope_exit([&] {
    llvm::sys::fs::remove(In);
    llvm::sys::fs::remove(Out);
    llvm::sys::fs::remove(Err);
  });
  {
    std::error_code EC;
    llvm::raw_fd_ostream OS(In, EC);
    if (EC)
      return error("cannot write " + In.str() + ": " + EC.message());
    OS << Dot;
  }
  std::string ErrMsg;
  llvm::StringRef Args[] = {*DotPath, "-Tsvg", In};
  llvm::Optional<llvm::StringRef> Redirects[] = {llvm::StringRef(""), llvm::StringRef(Out),
                                                 llvm::StringRef(Err)};
  int RC = llvm::sys::ExecuteAndWait(*DotPath, Args, llvm::None, Redirects, TimeoutSeconds,
                                     /*MemoryLimit=*/0, &ErrMsg);
  if (RC != 0) {
    std::string Detail = ErrMsg;
    if (auto Buf = llvm::MemoryBuffer::getFile(Err))
      Detail += (Detail.empty() ? "" : ": ") + (*Buf)->getBuffer().trim().str();
    return error("Graphviz `dot` failed to lay out the data map" +
                 (Detail.empty() ? std::string() : ": " + Detail));
  }
  auto Buf = llvm::MemoryBuffer::getFile(Out);
  if (!Buf)
    return error("cannot read Graphviz output: " + Buf.getError().message());
  return (*Buf)->getBuffer().str();
}

std::string inlineSvg(llvm::StringRef Svg) {
  size_t Start = Svg.find("<svg");
  if (Start == llvm::StringRef::npos)
    return "";
  llvm::StringRef Body = Svg.substr(Start);
  std::string Out;
  Out.reserve(Body.size());
  while (!Body.empty()) {
    size_t Comment = Body.find("<!--");
    llvm::StringRef Chunk = Body.substr(0, Comment);
    Out += Chunk.str();
    if (Comment == llvm::StringRef::npos)
      break;
    size_t End = Body.find("-->", Comment);
    Body = End == llvm::StringRef::npos ? llvm::StringRef() : Body.substr(End + 3);
  }
  for (const char *Attr :
       {" xmlns=\"http://www.w3.org/2000/svg\"", " xmlns:xlink=\"http://www.w3.org/1999/xlink\""}) {
    size_t Pos = Out.find(Attr);
    if (Pos != std::string::npos)
      Out.erase(Pos, llvm::StringRef(Attr).size());
  }
  return Out;
}

} // namespace privet::report
