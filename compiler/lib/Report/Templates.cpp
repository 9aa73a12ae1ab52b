//===- Templates.cpp - The generic (Art. 30(1)), ICO and CNIL column sets of the record ------===//
//
// Sources and how far each was verified: docs/report.md, "Templates".
//
//===----------------------------------------------------------------------------------------===//
#include "privet/Report/Templates.h"

namespace privet::report {

llvm::ArrayRef<RopaTemplate> ropaTemplates() {
  static const std::vector<RopaTemplate> Templates = {
      {"generic",
       "Record of processing activities (GDPR Art. 30(1))",
       "Regulation (EU) 2016/679, Art. 30(1)(a)-(g); legal basis added (Art. 6(1), Art. 9(2))",
       {
           {"Processing activity", Field::Activity},
           {"Controller (Art. 30(1)(a))", Field::Controller},
           {"Representative (Art. 30(1)(a))", Field::Representative},
           {"Data protection officer (Art. 30(1)(a))", Field::Dpo},
           {"Joint controllers (Art. 30(1)(a))", Field::JointControllers},
           {"Purposes of the processing (Art. 30(1)(b))", Field::Purpose},
           {"Legal basis (Art. 6(1))", Field::LegalBasis},
           {"Condition for special-category data (Art. 9(2), Art. 10)", Field::SpecialCondition},
           {"Categories of data subjects (Art. 30(1)(c))", Field::Subjects},
           {"Categories of personal data (Art. 30(1)(c))", Field::Data},
           {"Special categories of personal data (Art. 9(1), Art. 10)", Field::SpecialData},
           {"Categories of recipients (Art. 30(1)(d))", Field::Recipients},
           {"Processors (Art. 28)", Field::Processors},
           {"Transfers to third countries (Art. 30(1)(e))", Field::Transfers},
           {"Safeguards of those transfers (Art. 30(1)(e), Art. 45-49)", Field::Safeguards},
           {"Time limits for erasure (Art. 30(1)(f))", Field::Retention},
           {"Technical and organisational security measures (Art. 30(1)(g), Art. 32)",
            Field::Security},
           {"Performed by (the controller or an actor for it, Art. 28-29)", Field::Actors},
           {"Derived from rules", Field::Rules},
       }},
      {"ico",
       "Record of processing activities (ICO documentation, controller)",
       "UK Information Commissioner's Office, guidance 'Documentation' (Guide to accountability "
       "and governance) and its documentation template for controllers",
       {
           {"Name and contact details of your organisation", Field::Controller},
           {"Name and contact details of your representative (if applicable)",
            Field::Representative},
           {"Name and contact details of your data protection officer (if applicable)", Field::Dpo},
           {"Purpose of processing", Field::Purpose},
           {"Name and contact details of joint controller (if applicable)",
            Field::JointControllers},
           {"Categories of individuals", Field::Subjects},
           {"Categories of personal data", Field::Data},
           {"Categories of recipients", Field::Recipients},
           {"Processors and contracts", Field::Processors},
           {"Names of third countries or international organisations that personal data are "
            "transferred to (if applicable)",
            Field::Transfers},
           {"Safeguards for exceptional transfers of personal data to third countries or "
            "international organisations (if applicable)",
            Field::Safeguards},
           {"Retention schedule (if possible)", Field::Retention},
           {"General description of technical and organisational security measures (if "
            "possible)",
            Field::Security},
           {"Article 6 lawful basis for processing personal data", Field::LegalBasis},
           {"Article 9 condition for processing special category data", Field::SpecialCondition},
           {"Special category or criminal conviction and offence data", Field::SpecialData},
           {"Who carries out the processing (your organisation or a processor)", Field::Actors},
           {"Derived from rules", Field::Rules},
       }},
      {"cnil",
       "Registre des activités de traitement (CNIL, fiche de registre)",
       "Commission nationale de l'informatique et des libertés, modèle de registre des "
       "activités de traitement (fiche de registre par activité)",
       {
           {"Désignation de l'activité", Field::Activity},
           {"Responsable du traitement", Field::Controller},
           {"Représentant", Field::Representative},
           {"Délégué à la protection des données", Field::Dpo},
           {"Responsables conjoints", Field::JointControllers},
           {"Finalité(s) du traitement", Field::Purpose},
           {"Base légale", Field::LegalBasis},
           {"Catégories de personnes concernées", Field::Subjects},
           {"Catégories de données personnelles", Field::Data},
           {"Données sensibles", Field::SpecialData},
           {"Durée de conservation", Field::Retention},
           {"Catégories de destinataires", Field::Recipients},
           {"Sous-traitants", Field::Processors},
           {"Transferts hors UE : pays", Field::Transfers},
           {"Transferts hors UE : garanties", Field::Safeguards},
           {"Mesures de sécurité", Field::Security},
           {"Qui réalise le traitement (responsable ou sous-traitant)", Field::Actors},
           {"Règles d'origine", Field::Rules},
       }},
  };
  return Templates;
}

const RopaTemplate *findTemplate(llvm::StringRef Name) {
  for (const RopaTemplate &T : ropaTemplates())
    if (T.Name == Name)
      return &T;
  return nullptr;
}

} // namespace privet::report
